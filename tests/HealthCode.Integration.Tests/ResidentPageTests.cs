using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HealthCode.Integration.Tests;

/// <summary>
/// The resident page in real headless Chromium, on a phone-sized screen, against the real service: the
/// resident's own code, and the family members they declare for (DESIGN §8).
/// </summary>
[TestFixture]
public sealed class ResidentPageTests
{
    private WatchedPage _opened = null!;
    private ResidentPage _resident = null!;
    private PageConsole _console = null!;

    [SetUp]
    public async Task OpenPageAsync()
    {
        // A 2-core machine running the service, the SDK and Chromium: allow more than the default 5 s.
        SetDefaultExpectTimeout(15_000);
        var opened = await WatchedPage.OpenAsync(ServiceFixture.Browser);
        (_opened, _console) = (opened, opened.Console);
        _resident = new ResidentPage(opened.Page);
        await _resident.OpenAsync();
    }

    [TearDown]
    public async Task ClosePageAsync()
    {
        await _opened.CloseAsync(ServiceFixture.Api.Output);
    }

    [Test]
    public async Task Resident_LogsInWithDevCode_DeclaresHealthy_AndSeesGreenCodeWithQr()
    {
        await _resident.LogInAsync(ResidentPage.NewPhone());
        await _resident.FillDeclarationAsync("张三", IdNumbers.NewValid(), "410100", "36.5");
        await _resident.SubmitAsync();

        await Expect(_resident.CodeFrame).ToBeVisibleAsync();
        await Expect(_resident.CodeFrame).ToHaveAttributeAsync("data-color", "green");
        await Expect(_resident.Page.Locator("#code-label")).ToContainTextAsync("绿码");
        var width = await _resident.WaitForQrImageAsync();
        await Expect(_resident.Page.Locator("#qr-countdown")).ToContainTextAsync("自动刷新");
        await Expect(_resident.Page.Locator("#qr-refreshed")).ToContainTextAsync("刷新于");
        await _resident.SaveScreenshotAsync("green code on a 390x844 phone");

        Assert.Multiple(() =>
        {
            Assert.That(width, Is.GreaterThan(0), "the QR was drawn");
            Assert.That(_console.Errors, Is.Empty, "no script errors in the browser console");
        });
    }

    [Test]
    public async Task Page_IsChineseByDefault_AndSwitchTurnsLabelsToEnglish_AndIsRemembered()
    {
        var page = _resident.Page;
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        await Expect(page.Locator("label[for=login-phone]")).ToHaveTextAsync("手机号");
        await Expect(page.Locator("#otp-button")).ToHaveTextAsync("获取验证码");

        await page.Locator("#lang-switch").ClickAsync();

        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(page.Locator("label[for=login-phone]")).ToHaveTextAsync("Phone number");
        await Expect(page.Locator("label[for=login-code]")).ToHaveTextAsync("Verification code");
        await Expect(page.Locator("#otp-button")).ToHaveTextAsync("Get code");
        await Expect(page.Locator("#lang-switch")).ToHaveTextAsync("中文");

        await page.ReloadAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(page.Locator("#login-button")).ToHaveTextAsync("Log in");
    }

    [Test]
    public async Task Declaration_WithInvalidIdNumber_ShowsTheErrorNextToTheIdField()
    {
        await _resident.LogInAsync(ResidentPage.NewPhone());
        // The checksum of 11010519491231002 is X (GB 11643-1999), not 1.
        await _resident.FillDeclarationAsync("李四", "110105194912310021", "410100", "36.5");
        await _resident.SubmitAsync();

        var page = _resident.Page;
        var idError = page.Locator(".field:has(#decl-id) > .field-error");
        await Expect(idError).ToBeVisibleAsync();
        await Expect(idError).Not.ToBeEmptyAsync();
        await Expect(page.Locator("#decl-id")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("#form-summary")).ToBeVisibleAsync();
        await Expect(page.Locator("#form-summary-list li")).ToHaveCountAsync(1);
        await Expect(page.Locator("#decl-name")).Not.ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("#view-code")).ToBeHiddenAsync();
        await _resident.SaveScreenshotAsync("the declaration form with the ID number error");
    }

    [Test]
    public async Task Declaration_WithFever_ShowsYellowCodeWithAReason()
    {
        await _resident.LogInAsync(ResidentPage.NewPhone());
        await _resident.FillDeclarationAsync("王五", IdNumbers.NewValid(), "410100", "37.8", "fever");
        await _resident.SubmitAsync();

        var page = _resident.Page;
        await Expect(_resident.CodeFrame).ToHaveAttributeAsync("data-color", "yellow");
        await Expect(page.Locator("#code-label")).ToContainTextAsync("黄码");
        await Expect(page.Locator("#reasons li[data-code]:not([data-code=''])")).Not.ToHaveCountAsync(0);
        await _resident.WaitForQrImageAsync();
        await _resident.SaveScreenshotAsync("yellow code with its reasons");

        // The reasons follow the language switch (the API sends both texts).
        var zhReason = await page.Locator("#reasons li").First.TextContentAsync();
        await page.Locator("#lang-switch").ClickAsync();
        await Expect(page.Locator("#code-label")).ToContainTextAsync("Yellow code");
        await Expect(page.Locator("#reasons li").First).Not.ToHaveTextAsync(zhReason ?? string.Empty);
    }

    [Test]
    public async Task Holder_AddsAFamilyMember_DeclaresForThem_SwitchesCodes_AndPrintsTheirCard_WhichScans()
    {
        var page = _resident.Page;
        var grandmaId = IdNumbers.NewValid();
        await _resident.LogInAsync(ResidentPage.NewPhone());
        await _resident.FillDeclarationAsync("张三", IdNumbers.NewValid(), "410100", "36.5");
        await _resident.SubmitAsync();
        await Expect(page.Locator("#code-person")).ToContainTextAsync("本人 · 张*");
        await Expect(page.Locator("#people")).ToBeHiddenAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "家庭成员（代申报）" }).ClickAsync();
        await Expect(page.Locator("#view-family")).ToBeVisibleAsync();
        await Expect(page.Locator("#family-empty")).ToBeVisibleAsync();
        await page.Locator("#dep-name").FillAsync("王秀英");
        await page.Locator("#dep-id").FillAsync(grandmaId);
        await page.Locator("#add-dependant").ClickAsync();
        var row = page.Locator(".family-row");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync($"王*英 · 身份证尾号 {grandmaId[^4..]}");
        await Expect(row).ToContainTextAsync("尚未申报");
        await Screenshots.SaveAsync(page, "the family list with one member", "family");

        await row.GetByRole(AriaRole.Button, new() { Name = "为其申报" }).ClickAsync();
        await Expect(page.Locator("#declare-for")).ToContainTextAsync("王*英");
        await Expect(page.Locator("#decl-id")).ToHaveValueAsync(grandmaId);
        await Expect(page.Locator("#decl-name")).ToHaveValueAsync("王秀英");
        await Expect(page.Locator("#decl-name")).ToHaveAttributeAsync("readonly", "");
        await page.Locator("#decl-region").FillAsync("410100");
        await page.Locator("#decl-temperature").FillAsync("36.4");
        await _resident.SubmitAsync();

        await Expect(page.Locator("#code-person")).ToContainTextAsync($"家人 · 王*英 · 身份证尾号 {grandmaId[^4..]}");
        await Expect(_resident.CodeFrame).ToHaveAttributeAsync("data-color", "green");
        await _resident.WaitForQrImageAsync();
        var chips = page.Locator("#people .person-chip");
        await Expect(chips).ToHaveCountAsync(2);
        await Expect(chips.Nth(1)).ToHaveAttributeAsync("aria-pressed", "true");
        await Screenshots.SaveAsync(page, "a family member's code with the switch", "dependant");

        await chips.Nth(0).ClickAsync();
        await Expect(page.Locator("#code-person")).ToContainTextAsync("本人 · 张*");
        await Expect(page.Locator("#print-code")).ToBeHiddenAsync();
        await chips.Nth(1).ClickAsync();
        await Expect(page.Locator("#code-person")).ToContainTextAsync("王*英");

        var popup = await page.RunAndWaitForPopupAsync(() => page.Locator("#print-code").ClickAsync());
        var card = popup.Locator("svg[role=img]");
        await Expect(card).ToBeVisibleAsync();
        await Expect(card).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex($"绿码 王\\*英 身份证尾号 {grandmaId[^4..]}"));
        var cardPng = Path.Combine(TestContext.CurrentContext.WorkDirectory, "printed-card.png");
        await card.ScreenshotAsync(new() { Path = cardPng });
        TestContext.AddTestAttachment(cardPng, "the printed card of a family member");

        var printed = await Zbar.ReadAsync(cardPng);
        using var service = new ServiceClient();
        var staff = await service.EnrolStaffAsync("metro-1-gate-2");
        var verdict = await service.VerifyAsync(staff, printed);
        Assert.Multiple(() =>
        {
            Assert.That(verdict["valid"]!.GetValue<bool>(), Is.True, verdict.ToJsonString());
            Assert.That(verdict["maskedName"]!.GetValue<string>(), Is.EqualTo("王*英"));
            Assert.That(verdict["idTail"]!.GetValue<string>(), Is.EqualTo(grandmaId[^4..]));
            Assert.That(_console.Errors, Is.Empty, "no script or policy errors in the browser console");
        });
    }
}
