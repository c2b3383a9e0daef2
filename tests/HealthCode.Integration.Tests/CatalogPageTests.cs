using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HealthCode.Trust.Keys;
using HealthCode.Api.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HealthCode.Integration.Tests;

/// <summary>
/// The public sharing catalogue (<c>/catalog.html</c>, DESIGN §9) in real headless Chromium against the real service:
/// what each department shares and how fresh it is, in Chinese by default and in English, a late entry marked as
/// late, under the page's Content-Security-Policy.
/// </summary>
[TestFixture]
public sealed class CatalogPageTests
{
    private ServiceClient _service = null!;
    private WatchedPage _watched = null!;

    private IPage Page => _watched.Page;

    [SetUp]
    public async Task OpenContextAsync()
    {
        SetDefaultExpectTimeout(15_000);
        _service = new ServiceClient();
        _watched = await WatchedPage.OpenAsync(ServiceFixture.Browser);
    }

    [TearDown]
    public async Task CloseContextAsync()
    {
        await _watched.CloseAsync();
        _service.Dispose();
    }

    [Test]
    public async Task CatalogPage_ListsEachEntryWithItsFreshness_InChineseThenEnglish_AndMarksTheLateOne()
    {
        var department = "IT" + RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
        await RegisterDepartmentAsync(department, "河南省疾病预防控制中心");
        var fresh = await AddEntryAsync(department, "001", "核酸检测结果", "tests", "P1D");
        var late = await AddEntryAsync(department, "002", "确诊及疑似病例", "cases", "PT6H");
        CatalogBatches.Record(ServiceFixture.Api.DatabaseFile, fresh, DateTimeOffset.UtcNow.AddHours(-2), 1523);

        var response = await Page.GotoAsync("/catalog.html");
        Assert.That(response?.Status, Is.EqualTo(200));
        var freshCard = Page.Locator($"li.entry[data-code=\"{fresh}\"]");
        var lateCard = Page.Locator($"li.entry[data-code=\"{late}\"]");

        await Expect(Page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        await Expect(Page.Locator("h1")).ToHaveTextAsync("政务数据共享目录");
        await Expect(Page.Locator(".catalog-intro")).ToContainTextAsync("谁提供、谁负责");
        await Expect(freshCard.Locator(".entry-name")).ToHaveTextAsync("核酸检测结果");
        await Expect(freshCard.Locator(".badge")).ToHaveTextAsync("按时");
        await Expect(freshCard.Locator("[data-role=provider]")).ToHaveTextAsync($"河南省疾病预防控制中心（{department}）");
        await Expect(freshCard.Locator("[data-role=kind]")).ToHaveTextAsync("核酸检测结果");
        await Expect(freshCard.Locator("[data-role=cycle]")).ToHaveTextAsync("每天");
        await Expect(freshCard.Locator("[data-role=rows]")).ToHaveTextAsync("1,523 条");
        await Expect(freshCard.Locator("[data-role=last-batch]")).ToContainTextAsync("2小时前");
        await Expect(freshCard.Locator("[data-role=sharing]")).ToHaveTextAsync("有条件共享：仅用于健康码赋码，不得转作他用。");
        await Expect(freshCard.Locator("[data-role=retention]")).ToHaveTextAsync("28 天");
        await Expect(freshCard.Locator("[data-role=legal-basis]")).ToHaveTextAsync("《中华人民共和国传染病防治法》第三十八条");
        await Expect(lateCard).ToHaveAttributeAsync("data-state", "late");
        await Expect(lateCard.Locator(".badge")).ToHaveTextAsync("延迟");
        await Expect(lateCard.Locator("[data-role=late-note]")).ToContainTextAsync("尚未收到数据");
        await Expect(lateCard.Locator("[data-role=cycle]")).ToHaveTextAsync("每 6 小时");
        await Screenshots.SaveAsync(Page, "the catalogue on a 390x844 phone, in Chinese", "zh");

        await Page.Locator("#lang-switch").ClickAsync();

        await Expect(Page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(Page.Locator("h1")).ToHaveTextAsync("Data sharing catalogue");
        await Expect(freshCard.Locator(".badge")).ToHaveTextAsync("On time");
        await Expect(freshCard.Locator("[data-role=cycle]")).ToHaveTextAsync("Every day");
        await Expect(freshCard.Locator("[data-role=rows]")).ToHaveTextAsync("1,523 rows");
        await Expect(freshCard.Locator("[data-role=kind]")).ToHaveTextAsync("Test results");
        await Expect(freshCard.Locator("[data-role=last-batch]")).ToContainTextAsync("2 hours ago");
        await Expect(lateCard.Locator(".badge")).ToHaveTextAsync("Late");
        await Expect(lateCard.Locator("[data-role=late-note]")).ToContainTextAsync("No data received yet");
        await Expect(lateCard.Locator("[data-role=cycle]")).ToHaveTextAsync("Every 6 hours");
        await Screenshots.SaveAsync(Page, "the catalogue on a 390x844 phone, in English", "en");

        await Page.SetViewportSizeAsync(1280, 900);
        await Expect(lateCard.Locator(".badge")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(Page, "the catalogue on a 1280x900 desktop, in English", "desktop");

        Assert.That(_watched.Console.Errors, Is.Empty, "no CSP violation, no script error");
    }

    [Test]
    public async Task ResidentPage_LinksToTheCatalogue_WhichKeepsTheLanguageChosenThere()
    {
        await Page.GotoAsync("/");
        await Page.Locator("#lang-switch").ClickAsync();
        await Expect(Page.Locator("html")).ToHaveAttributeAsync("lang", "en");

        await Page.GetByRole(AriaRole.Link, new() { Name = "Data sharing catalogue" }).ClickAsync();

        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/catalog\\.html$"));
        await Expect(Page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(Page.Locator("h1")).ToHaveTextAsync("Data sharing catalogue");
        await Expect(Page.Locator("#catalog-summary")).ToBeVisibleAsync();
        Assert.That(_watched.Console.Errors, Is.Empty, "no CSP violation, no script error");
    }

    private async Task RegisterDepartmentAsync(string code, string name)
    {
        using var key = EcKey.Generate();
        await _service.OperatorAsync(HttpMethod.Post, "/api/v1/admin/departments", new { code, name, key = JsonNode.Parse(key.ToPublicJwk()) }, HttpStatusCode.Created);
    }

    /// <summary>Publishes an entry of <paramref name="department"/>, shared on conditions, published an hour ago; returns its code.</summary>
    private async Task<string> AddEntryAsync(string department, string serial, string name, string kind, string updateCycle)
    {
        var code = $"410000-{department}-{serial}";
        await _service.OperatorAsync(HttpMethod.Post, "/api/v1/admin/catalog", new
        {
            code,
            name,
            provider = department,
            summary = "由提供部门按更新周期批量报送。",
            kind,
            items = new[] { new { name = "idNumber", type = "string" }, new { name = "name", type = "string" } },
            sharing = new { type = "conditional", conditions = "仅用于健康码赋码，不得转作他用。", method = "batch" },
            updateCycle,
            legalBasis = "《中华人民共和国传染病防治法》第三十八条",
            purpose = "健康码赋码",
            retentionDays = 28,
            publishedAt = DateTimeOffset.UtcNow.AddHours(-1),
        }, HttpStatusCode.Created);
        return code;
    }
}
