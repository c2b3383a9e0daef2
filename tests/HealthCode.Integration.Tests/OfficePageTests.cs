using System.Net;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HealthCode.Integration.Tests;

/// <summary>
/// The grassroots office page (<c>/office.html</c>, DESIGN §10) in real headless Chromium against a service of its own,
/// where an office of 410105 has a yellow, a red and a green resident and Luoyang (410302) a red one: the page shows
/// the office's counts and its two people to follow up and nobody of Luoyang, filters by colour, switches to English,
/// on a phone and a desktop, under the page's Content-Security-Policy; a token that is no office's is turned away with
/// what to do.
/// </summary>
[TestFixture]
public sealed class OfficePageTests
{
    private ApiProcess _api = null!;
    private ServiceClient _service = null!;
    private WatchedPage _watched = null!;

    private IPage Page => _watched.Page;

    [OneTimeSetUp]
    public async Task StartServiceAsync()
    {
        // A service of its own: what the office counts, no other page test adds to.
        _api = await ApiProcess.StartAsync(TestContext.CurrentContext.CancellationToken);
        _service = new ServiceClient(_api.BaseAddress);
    }

    [OneTimeTearDown]
    public async Task StopServiceAsync()
    {
        _service.Dispose();
        await _api.DisposeAsync();
    }

    [SetUp]
    public async Task OpenContextAsync()
    {
        SetDefaultExpectTimeout(15_000);
        var options = ServiceFixture.PhoneContextOptions();
        options.BaseURL = _api.BaseAddress.ToString();
        _watched = await WatchedPage.OpenAsync(ServiceFixture.Browser, options);
    }

    [TearDown]
    public async Task CloseContextAsync() => await _watched.CloseAsync();

    [Test]
    public async Task AnOfficeOf410105_SeesItsCountsAndItsYellowAndRedPeople_NobodyOfLuoyang_InChineseThenEnglish()
    {
        var yellow = await DeclaredAsync("王小明", "410105", fever: true);
        var red = await DeclaredAsync("李红梅", "410105", confirmedCase: true);
        await DeclaredAsync("赵平安", "410105");
        var luoyang = await DeclaredAsync("孙洛阳", "410302", confirmedCase: true);
        var token = await OfficeTokenAsync("金水区疫情防控办", "office:410105");

        var response = await Page.GotoAsync("/office.html");
        Assert.That(response?.Status, Is.EqualTo(200));
        await Expect(Page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        await Expect(Page.Locator("h1")).ToHaveTextAsync("基层防控工作台");
        await Page.Locator("#setup-token").FillAsync(token);
        await Page.Locator("#setup-save").ClickAsync();

        var area = Page.Locator(".area[data-region='410105']");
        var people = Page.Locator("#people li.person");
        await Expect(Page.Locator("#office-title")).ToHaveTextAsync("金水区疫情防控办");
        await Expect(Page.Locator("#office-areas")).ToHaveTextAsync("辖区：郑州市（410105）");
        await Expect(area.Locator(".area-name")).ToHaveTextAsync("郑州市（410105）");
        await Expect(area.Locator("[data-role=red]")).ToHaveTextAsync("1 人");
        await Expect(area.Locator("[data-role=yellow]")).ToHaveTextAsync("1 人");
        await Expect(area.Locator("[data-role=green]")).ToHaveTextAsync("1 人");
        await Expect(area.Locator("[data-role=total]")).ToHaveTextAsync("3 人");
        await Expect(Page.Locator(".area")).ToHaveCountAsync(1);
        await Expect(people).ToHaveCountAsync(2);
        await Expect(Page.Locator("#list-status")).ToHaveTextAsync("已显示 2 人");
        Assert.That(await people.EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.tail)"),
            Is.EquivalentTo(new[] { yellow.Tail, red.Tail }), "only the office's yellow and red people");
        Assert.That(await people.EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.tail)"), Does.Not.Contain(luoyang.Tail));
        await Expect(Page.Locator("body")).Not.ToContainTextAsync("410302");

        var redCard = Page.Locator($"li.person[data-tail='{red.Tail}']");
        await Expect(redCard).ToHaveAttributeAsync("data-color", "red");
        await Expect(redCard.Locator(".badge")).ToHaveTextAsync("✕ 红码");
        await Expect(redCard.Locator("[data-role=tail]")).ToHaveTextAsync($"身份证尾号 {red.Tail}");
        await Expect(redCard.Locator("a[data-role=phone]")).ToHaveAttributeAsync("href", $"tel:{red.Phone}");
        await Expect(redCard.Locator("[data-role=reasons]")).ToContainTextAsync("确诊");
        await Expect(redCard.Locator("[data-role=since]")).ToContainTextAsync("红码自");
        await Expect(redCard.Locator("[data-role=region]")).ToHaveTextAsync("申报地区：郑州市（410105）");
        await Expect(Page.Locator($"li.person[data-tail='{yellow.Tail}'] .badge")).ToHaveTextAsync("! 黄码");
        // Usable on a 390 px phone: nothing wider than the screen, the phone to call a full tap target.
        Assert.That(await Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), Is.True, "no sideways scrolling on a phone");
        Assert.That((await redCard.Locator("a[data-role=phone]").BoundingBoxAsync())!.Height, Is.GreaterThanOrEqualTo(44), "a tap target");
        await Screenshots.SaveAsync(Page, "the office of 410105 on a 390x844 phone, in Chinese", "zh");

        await Page.Locator("input[name=color][value=red]").CheckAsync();
        await Expect(people).ToHaveCountAsync(1);
        await Expect(people.First).ToHaveAttributeAsync("data-tail", red.Tail);

        await Page.Locator("#lang-switch").ClickAsync();

        await Expect(Page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(Page.Locator("h1")).ToHaveTextAsync("Community office");
        await Expect(Page.Locator("#office-areas")).ToHaveTextAsync("Area: Zhengzhou (410105)");
        await Expect(area.Locator("[data-role=red-label]")).ToHaveTextAsync("✕ Red");
        await Expect(redCard.Locator(".badge")).ToHaveTextAsync("✕ Red");
        await Expect(redCard.Locator("[data-role=reasons]")).ToContainTextAsync("confirmed case");
        await Expect(redCard.Locator("[data-role=since]")).ToContainTextAsync("Red since");
        await Screenshots.SaveAsync(Page, "the office of 410105 on a 390x844 phone, in English, red only", "en");

        await Page.Locator("input[name=color][value='']").CheckAsync();
        await Expect(people).ToHaveCountAsync(2);
        await Page.SetViewportSizeAsync(1280, 900);
        await Expect(area).ToBeVisibleAsync();
        await Screenshots.SaveAsync(Page, "the office of 410105 on a 1280x900 desktop, in English", "desktop");

        Assert.That(_watched.Console.Errors, Is.Empty, "no CSP violation, no script error");
    }

    [Test]
    public async Task ALongList_ComesAPageAtATime_ShowMoreFetchesTheRest_ThenGoes()
    {
        var tails = new List<string>();
        for (var i = 0; i < 21; i++)
        {
            tails.Add((await DeclaredAsync("王小明", "410108", fever: true)).Tail);
        }

        var token = await OfficeTokenAsync("惠济区疫情防控办", "office:410108");
        await Page.GotoAsync("/office.html");
        await Page.Locator("#setup-token").FillAsync(token);
        await Page.Locator("#setup-save").ClickAsync();

        var people = Page.Locator("#people li.person");
        await Expect(people).ToHaveCountAsync(20);
        await Expect(Page.Locator("#list-status")).ToHaveTextAsync("已显示 20 人，点击“加载更多”查看其余人员");
        await Expect(Page.Locator(".area[data-region='410108'] [data-role=yellow]")).ToHaveTextAsync("21 人");
        await Page.Locator("#more").ClickAsync();

        await Expect(people).ToHaveCountAsync(21);
        await Expect(Page.Locator("#list-status")).ToHaveTextAsync("已显示 21 人");
        await Expect(Page.Locator("#more")).ToBeHiddenAsync();
        Assert.That(await people.EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.tail)"), Is.EquivalentTo(tails), "each once, none twice");
        Assert.That(_watched.Console.Errors, Is.Empty, "no CSP violation, no script error");
    }

    [Test]
    public async Task ATokenThatIsNoOffices_IsTurnedAway_SayingWhatToDo_AndAForgottenOneToo()
    {
        var admin = await OfficeTokenAsync("李管理", "admin");

        await Page.GotoAsync("/office.html");
        await Page.Locator("#setup-save").ClickAsync();
        await Expect(Page.Locator("#setup-token-error")).ToHaveTextAsync("请粘贴办公室令牌。");
        await Page.Locator("#setup-token").FillAsync(admin);
        await Page.Locator("#setup-save").ClickAsync();
        await Expect(Page.Locator("#setup-token-error")).ToContainTextAsync("没有基层办公室权限");
        await Page.Locator("#setup-token").FillAsync("not-a-token");
        await Page.Locator("#setup-save").ClickAsync();
        await Expect(Page.Locator("#setup-token-error")).ToContainTextAsync("令牌无效、已过期或已被吊销");

        await Expect(Page.Locator("#view-office")).ToBeHiddenAsync();
        Assert.That(await Page.EvaluateAsync<string?>("() => sessionStorage.getItem('hc.office.token')"), Is.Null, "a refused token is not kept");
        Assert.That(_watched.Console.Errors, Is.Empty, "no CSP violation, no script error");
    }

    /// <summary>A resident of a phone of their own who declared in <paramref name="region"/>: their phone and ID tail.</summary>
    private async Task<(string Phone, string Tail)> DeclaredAsync(string name, string region, bool fever = false, bool confirmedCase = false)
    {
        var phone = ResidentPage.NewPhone();
        var idNumber = IdNumbers.NewValid();
        var token = await _service.LogInResidentAsync(phone);
        await _service.DeclareAsync(token, phone, name, idNumber, confirmedCase, region, fever);
        return (phone, idNumber[^4..]);
    }

    private async Task<string> OfficeTokenAsync(string name, string role)
    {
        var created = await _service.OperatorAsync(HttpMethod.Post, "/api/v1/admin/operators", new { name, roles = new[] { role } }, HttpStatusCode.Created);
        return created!["token"]!.GetValue<string>();
    }
}
