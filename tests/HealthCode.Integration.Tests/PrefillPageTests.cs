using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HealthCode.Integration.Tests;

/// <summary>
/// The resident page's declaration form starting from the draft (DESIGN §10 "Prefill") in real headless Chromium: after
/// a first declaration, the next one opens with the name, ID number, phone, region and contact answers filled in, each
/// marked as coming from the last declaration, today's temperature left for the resident; the resident confirms and
/// submits.
/// </summary>
[TestFixture]
public sealed class PrefillPageTests
{
    private WatchedPage _watched = null!;
    private ResidentPage _resident = null!;

    private IPage Page => _watched.Page;

    [SetUp]
    public async Task OpenPageAsync()
    {
        SetDefaultExpectTimeout(15_000);
        _watched = await WatchedPage.OpenAsync(ServiceFixture.Browser);
        _resident = new ResidentPage(_watched.Page);
        await _resident.OpenAsync();
    }

    [TearDown]
    public async Task ClosePageAsync() => await _watched.CloseAsync();

    [Test]
    public async Task AfterAFirstDeclaration_TheNextOneStartsFilledIn_EachAnswerSayingWhereItCameFrom_TemperatureLeftToMeasure()
    {
        var phone = ResidentPage.NewPhone();
        var idNumber = IdNumbers.NewValid();
        await _resident.LogInAsync(phone);
        await Expect(Page.Locator("#decl-phone + .prefill-note")).ToHaveTextAsync("来自本账号");
        await _resident.FillDeclarationAsync("张三", idNumber, "410105", "36.5");
        await Page.Locator("input[name=closeContactNotice]").CheckAsync();
        await _resident.SubmitAsync();
        await Expect(_resident.CodeFrame).ToHaveAttributeAsync("data-color", "red");

        // The next day's declaration, from a page opened anew.
        await Page.ReloadAsync();
        await Expect(_resident.CodeFrame).ToBeVisibleAsync();
        await Page.Locator("#declare-again").ClickAsync();

        await Expect(Page.Locator("#decl-name")).ToHaveValueAsync("张三");
        await Expect(Page.Locator("#decl-id")).ToHaveValueAsync(idNumber);
        await Expect(Page.Locator("#decl-phone")).ToHaveValueAsync(phone);
        await Expect(Page.Locator("#decl-region")).ToHaveValueAsync("410105");
        await Expect(Page.Locator("input[name=closeContactNotice]")).ToBeCheckedAsync();
        await Expect(Page.Locator("#decl-temperature")).ToHaveValueAsync("");
        await Expect(Page.Locator(".prefill-summary")).ToContainTextAsync("体温和症状请按今天的实际情况填写");
        foreach (var input in new[] { "#decl-name", "#decl-id", "#decl-phone", "#decl-region" })
        {
            await Expect(Page.Locator($"{input} + .prefill-note")).ToContainTextAsync("来自上次申报");
        }

        await Expect(Page.Locator("fieldset[data-field=contact] > .prefill-note")).ToContainTextAsync("来自上次申报");
        await Screenshots.SaveAsync(Page, "the declaration form filled in from the last declaration, on a 390x844 phone", "prefilled");

        // What the resident changes is theirs: its note goes. Today's temperature, then submit.
        await Page.Locator("#decl-region").FillAsync("410102");
        await Expect(Page.Locator("#decl-region + .prefill-note")).ToHaveCountAsync(0);
        await Page.Locator("#lang-switch").ClickAsync();
        await Expect(Page.Locator("#decl-name + .prefill-note")).ToContainTextAsync("From your last declaration");
        await Page.Locator("#decl-temperature").FillAsync("36.6");
        await _resident.SubmitAsync();

        await Expect(_resident.CodeFrame).ToHaveAttributeAsync("data-color", "red");
        Assert.That(_watched.Console.Errors, Is.Empty, "no CSP violation, no script error");
    }
}
