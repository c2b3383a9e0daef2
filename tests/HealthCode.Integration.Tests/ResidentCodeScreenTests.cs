using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HealthCode.Integration.Tests;

/// <summary>
/// The resident's code screen in Chromium at 390×844 (issue 12): who and which province, a clock ticking each
/// second, the QR drawn on the page from the signed text and read back by zbar, the network banner that clears when
/// the network is back, and the "at the earliest" day of a red code.
/// </summary>
[TestFixture]
internal sealed partial class ResidentCodeScreenTests : ResidentPageFixture
{
    private async Task<string> DeclareGreenAsync()
    {
        var idNumber = IdNumbers.NewValid();
        await Resident.LogInAsync(ResidentPage.NewPhone());
        await Resident.FillDeclarationAsync("张三艺", idNumber, "410100", "36.5");
        await Resident.SubmitAsync();
        await Expect(Resident.CodeFrame).ToHaveAttributeAsync("data-color", "green");
        return idNumber;
    }

    [Test]
    public async Task CodeScreen_ShowsMaskedNameIdTailIssuingProvince_AndAClockThatTicksEachSecond()
    {
        var idNumber = await DeclareGreenAsync();
        await Resident.WaitForQrImageAsync();

        await Expect(Page.Locator("#code-person")).ToContainTextAsync($"张*艺 · 身份证尾号 {idNumber[^4..]}");
        // The issuer is the token's iss (410000 for the sample keys), named from the GB/T 2260 table.
        await Expect(Page.Locator("#code-issuer")).ToHaveTextAsync("河南省健康码");
        var clock = Page.Locator("#code-clock");
        await Expect(clock).ToHaveTextAsync(ClockFormat());
        var first = await clock.TextContentAsync() ?? "";
        // It moves on by itself: no click, no refresh of the QR (which renews every few minutes).
        await Expect(clock).Not.ToHaveTextAsync(first);
        await Expect(clock).ToHaveTextAsync(ClockFormat());
        await Resident.SaveScreenshotAsync("the code screen with name, ID tail, province and the live clock");

        await Page.Locator("#lang-switch").ClickAsync();
        await Expect(Page.Locator("#code-issuer")).ToHaveTextAsync("Health code of Henan");
        Assert.That(Opened.Console.Errors, Is.Empty, "no script errors in the browser console");
    }

    [Test]
    public async Task Qr_IsDrawnOnThePageFromTheTextForm_AtVersion12OrLess_AndZbarReadsTheSignedText()
    {
        var imageRequests = new List<string>();
        Page.Request += (_, request) =>
        {
            if (request.Url.Contains("/me/code/qr", StringComparison.Ordinal) && !request.Url.Contains("format=text", StringComparison.Ordinal))
            {
                imageRequests.Add(request.Url);
            }
        };
        await DeclareGreenAsync();
        await Resident.WaitForQrImageAsync();

        // A refresh the resident asks for: the endpoint's answer is the text the canvas must show.
        var response = await Page.RunAndWaitForResponseAsync(
            () => Page.Locator("#refresh-now").ClickAsync(),
            r => r.Url.Contains("/api/v1/me/code/qr?format=text", StringComparison.Ordinal));
        Assert.That(response.Status, Is.EqualTo(200));
        var answered = (await response.TextAsync()).Trim();
        Assert.That(answered, Does.StartWith("HC1:/"));
        await Expect(Resident.Qr).ToHaveAttributeAsync("data-text", answered);

        var version = int.Parse(await Resident.Qr.GetAttributeAsync("data-version") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        var png = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"{TestContext.CurrentContext.Test.MethodName}-qr.png");
        await Resident.Qr.ScreenshotAsync(new() { Path = png });
        TestContext.AddTestAttachment(png, "the QR as the page drew it");
        var read = await Zbar.ReadAsync(png);

        using var service = new ServiceClient();
        var verdict = await service.VerifyAsync(await service.EnrolStaffAsync("gate-qr-drawn"), read);
        Assert.Multiple(() =>
        {
            Assert.That(read, Is.EqualTo(answered), "zbar reads exactly the text the endpoint answered");
            // DESIGN §4.1: numeric mode keeps a typical code at version 12 or less at level M (byte mode needs 19).
            Assert.That(version, Is.InRange(1, 12), "the QR version the page's encoder took");
            Assert.That(verdict["valid"]!.GetValue<bool>(), Is.True, verdict.ToJsonString());
            Assert.That(imageRequests, Is.Empty, "the page asks the service for no rendered image (png or svg)");
            Assert.That(Opened.Console.Errors, Is.Empty, "no script or policy errors in the browser console");
        });
    }

    [Test]
    public async Task ARefresh_ShowsTheCodeAsChangedElsewhere_EvenWhenItsColourAndStatusVersionStay()
    {
        var phone = ResidentPage.NewPhone();
        var idNumber = IdNumbers.NewValid();
        await Resident.LogInAsync(phone);
        await Resident.FillDeclarationAsync("王五", idNumber, "410100", "37.8", "fever");
        await Resident.SubmitAsync();
        await Expect(Resident.CodeFrame).ToHaveAttributeAsync("data-color", "yellow");
        await Expect(Page.Locator("#reasons")).ToContainTextAsync("您申报了发热症状");
        await Resident.WaitForQrImageAsync();
        var version = (await Page.EvaluateAsync<int?>("() => JSON.parse(atob(document.getElementById('qr').dataset.text.slice(5).match(/../g).map(p => String.fromCharCode(Number(p) + 45)).join('').split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).v"))!.Value;

        // The same resident declares again elsewhere (another tab, with this session): still yellow (a fever), no fever
        // symptom this time. The colour holds, so the token's status version holds; only the code record changed.
        var session = await Page.EvaluateAsync<string>("() => JSON.parse(sessionStorage.getItem('hc.session')).token");
        using var service = new ServiceClient();
        var again = await service.DeclareAsync(session, phone, "王五", idNumber, fever: true);
        Assert.That(again["color"]!.GetValue<string>(), Is.EqualTo("yellow"));
        Assert.That(again["statusVersion"]!.GetValue<int>(), Is.EqualTo(version), "the colour held, so the status version did");

        await Page.Locator("#refresh-now").ClickAsync();
        await Expect(Page.Locator("#reasons")).Not.ToContainTextAsync("您申报了发热症状");
        await Expect(Resident.CodeFrame).ToHaveAttributeAsync("data-color", "yellow");
    }

    [Test]
    public async Task NetworkBanner_ShowsWhileOffline_AndClearsWhenTheNetworkIsBack()
    {
        await DeclareGreenAsync();
        await Resident.WaitForQrImageAsync();
        var message = Page.Locator("#message");

        await Opened.Context.SetOfflineAsync(true);
        await Page.Locator("#refresh-now").ClickAsync();
        await Expect(message).ToContainTextAsync("网络异常");
        await Expect(message).ToHaveAttributeAsync("data-kind", "error");
        await Screenshots.SaveAsync(Page, "offline: the network banner", "offline");

        await Opened.Context.SetOfflineAsync(false);
        await Expect(message).Not.ToContainTextAsync("网络异常");
        await Expect(message).Not.ToHaveClassAsync(new Regex(@"\bshown\b"));
        // And the code is live again: a refresh succeeds and the banner stays away.
        await Page.Locator("#refresh-now").ClickAsync();
        await Expect(Page.Locator("#qr-countdown")).ToContainTextAsync("自动刷新");
        await Expect(message).Not.ToContainTextAsync("网络异常");
        await Resident.SaveScreenshotAsync("online again: the banner is gone");
    }

    [Test]
    public async Task RedCode_SaysItTurnsGreenAtTheEarliestOnItsDay_AndThatATestIsNeeded_InThePagesDateFormat()
    {
        await Resident.LogInAsync(ResidentPage.NewPhone());
        await Resident.FillDeclarationAsync("赵六", IdNumbers.NewValid(), "410100", "36.5");
        await Page.Locator("input[name=confirmedCase]").CheckAsync();
        await Resident.SubmitAsync();

        await Expect(Resident.CodeFrame).ToHaveAttributeAsync("data-color", "red");
        var greenAfter = Page.Locator("#green-after");
        await Expect(greenAfter).ToBeVisibleAsync();
        await Expect(greenAfter).ToHaveTextAsync(new Regex(@"^最早 \d{4}-\d{2}-\d{2} 转为绿码，且需提供核酸检测阴性结果$"));
        await Expect(greenAfter).ToHaveAttributeAsync("data-needs-test", "true");
        // One date format across the page: the day above is the day the service's reason names, written alike.
        var day = Regex.Match(await greenAfter.TextContentAsync() ?? "", @"\d{4}-\d{2}-\d{2}").Value;
        await Expect(Page.Locator("#reasons")).ToContainTextAsync(day);
        await Expect(Page.Locator("#updated-at")).ToHaveTextAsync(new Regex(@"\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"));
        await Resident.SaveScreenshotAsync("a red code: green at the earliest, a test needed");

        await Page.Locator("#lang-switch").ClickAsync();
        await Expect(greenAfter).ToHaveTextAsync($"Turns green on {day} at the earliest, and a negative test is also needed");
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")]
    private static partial Regex ClockFormat();
}
