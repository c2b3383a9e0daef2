using System.Globalization;
using System.Security.Cryptography;
using HealthCode.Api.Infrastructure.Http;
using Microsoft.Playwright;
using NUnit.Framework.Interfaces;
using static Microsoft.Playwright.Assertions;

namespace HealthCode.Integration.Tests;

/// <summary>
/// The pages under their Content-Security-Policy in real headless Chromium: served with it, and their whole paths
/// (log in, declare, the QR; scan, look up, switch language, log out) run without a violation or a console error.
/// And what the scanner keeps of the staff token: this tab only, never localStorage, forgotten after half an hour
/// without a scan, on log out, and when the tab closes.
/// </summary>
[TestFixture]
public sealed class PagePolicyTests
{
    private ServiceClient _service = null!;
    private IBrowserContext _context = null!;
    private IPage _page = null!;
    private PageConsole _console = null!;

    [SetUp]
    public async Task OpenContextAsync()
    {
        SetDefaultExpectTimeout(15_000);
        _service = new ServiceClient();
        (_context, _page, _console) = await WatchedPage.OpenAsync(ServiceFixture.Browser);
    }

    [TearDown]
    public async Task CloseContextAsync()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == TestStatus.Failed)
        {
            await Screenshots.SaveAsync(_page, "the page when the test failed", "failed");
            await TestContext.Out.WriteLineAsync($"browser console errors:\n{string.Join('\n', _console.Errors)}");
        }

        await _context.DisposeAsync();
        _service.Dispose();
    }

    [Test]
    public async Task ResidentPage_IsServedWithTheCsp_AndRunsItsWholePathWithoutAViolation()
    {
        var response = await _page.GotoAsync("/");

        await AssertPolicyAsync(response);
        var resident = new ResidentPage(_page);
        await resident.LogInAsync(ResidentPage.NewPhone());
        await resident.FillDeclarationAsync("张三", IdNumbers.NewValid(), "410100", "37.9", "fever");
        await resident.SubmitAsync();
        await Expect(resident.CodeFrame).ToHaveAttributeAsync("data-color", "yellow");
        Assert.That(await resident.WaitForQrImageAsync(), Is.GreaterThan(0), "the QR (an SVG shown through a blob: URL) loaded");
        await _page.Locator("#lang-switch").ClickAsync();
        await Expect(_page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await _page.Locator("#logout").ClickAsync();
        await Expect(_page.Locator("#view-login")).ToBeVisibleAsync();

        Assert.That(_console.Errors, Is.Empty, "no CSP violation, no script error");
    }

    [Test]
    public async Task ScannerPage_IsServedWithTheCsp_AndRunsItsWholePathWithoutAViolation()
    {
        var staff = await _service.EnrolStaffAsync(NewCheckpointId());
        var idNumber = IdNumbers.NewValid();
        await _service.DeclareResidentAsync("李小红", idNumber);
        var qrText = await _service.GetQrTextAsync(await _service.DeclareResidentAsync("张小艺", IdNumbers.NewValid()));

        var response = await _page.GotoAsync("/scan.html");
        await AssertPolicyAsync(response);
        var scanner = await OpenScannerAsync(staff);
        await scanner.ScanWithGunAsync(qrText);
        await Expect(scanner.Result).ToHaveAttributeAsync("data-result", "green");
        await scanner.ScanWithGunAsync("HC1:/1234");
        await Expect(scanner.Result).ToHaveAttributeAsync("data-result", "invalid");
        await scanner.LookUpAsync(idNumber, "李小红");
        await Expect(scanner.MaskedName).ToHaveTextAsync("李*红");
        await _page.Locator("#lang-switch").ClickAsync();
        await Expect(_page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await _page.Locator("#logout").ClickAsync();
        await Expect(scanner.SetupView).ToBeVisibleAsync();
        await Expect(scanner.Message).ToHaveTextAsync("Logged out: the token is gone from this device.");
        await Expect(_page.Locator("#setup-token")).ToHaveValueAsync(string.Empty);

        Assert.That(_console.Errors, Is.Empty, "no CSP violation, no script error");
    }

    [Test]
    public async Task ScannerToken_IsKeptInThisTabOnly_NeverInLocalStorage()
    {
        var staff = await _service.EnrolStaffAsync(NewCheckpointId());
        var scanner = await OpenScannerAsync(staff);
        await scanner.ScanWithGunAsync("HC1:/1234");
        await Expect(scanner.Result).ToHaveAttributeAsync("data-result", "invalid");

        var local = await _page.EvaluateAsync<string>("() => JSON.stringify({ ...localStorage })");
        var session = await _page.EvaluateAsync<string>("() => JSON.stringify({ ...sessionStorage })");
        Assert.Multiple(() =>
        {
            Assert.That(local, Does.Not.Contain(staff.Token), "localStorage outlives the shift: no token there");
            Assert.That(local, Does.Not.Contain(staff.CheckpointId), "the checkpoint comes from the token, so nothing of it is kept on the device");
            Assert.That(session, Does.Contain(staff.Token), "the token is kept for this tab");
        });

        // Another tab (or the same page after the browser closed) has no token: it asks for one.
        var other = await _context.NewPageAsync();
        await other.GotoAsync("/scan.html");
        await Expect(other.Locator("#view-setup")).ToBeVisibleAsync();
        await Expect(other.Locator("#setup-token")).ToHaveValueAsync(string.Empty);
    }

    [Test]
    public async Task ScannerToken_IsForgottenAfterHalfAnHourWithoutAScan()
    {
        var staff = await _service.EnrolStaffAsync(NewCheckpointId());
        await _page.Clock.InstallAsync();
        var scanner = await OpenScannerAsync(staff);
        await scanner.ScanWithGunAsync("HC1:/1234");
        await Expect(scanner.Result).ToHaveAttributeAsync("data-result", "invalid");

        await _page.Clock.FastForwardAsync("28:00");
        await Expect(scanner.ScanView).ToBeVisibleAsync();
        await _page.Clock.FastForwardAsync("03:00");

        await Expect(scanner.SetupView).ToBeVisibleAsync();
        await Expect(scanner.Message).ToContainTextAsync("30 分钟未核验");
        Assert.That(await _page.EvaluateAsync<string?>("() => sessionStorage.getItem('hc.scan.token')"), Is.Null);
        await _page.ReloadAsync();
        await Expect(scanner.SetupView).ToBeVisibleAsync();
    }

    [Test]
    public async Task ScannerToken_LeftInLocalStorageByAnEarlierVersion_IsRemoved()
    {
        await _page.AddInitScriptAsync("""
            if (!sessionStorage.getItem('seeded')) {
                sessionStorage.setItem('seeded', '1');
                localStorage.setItem('hc.scan.staff', JSON.stringify({ token: 'a-token-from-last-week', checkpointId: 'legacy-gate-7' }));
            }
            """);

        await _page.GotoAsync("/scan.html");

        await Expect(_page.Locator("#view-setup")).ToBeVisibleAsync();
        await Expect(_page.Locator("#setup-token")).ToHaveValueAsync(string.Empty);
        var local = await _page.EvaluateAsync<string>("() => JSON.stringify({ ...localStorage })");
        Assert.That(local, Does.Not.Contain("a-token-from-last-week").And.Not.Contain("legacy-gate-7"), "an earlier version's record is removed whole");
    }

    private static async Task AssertPolicyAsync(IResponse? response)
    {
        Assert.That(response, Is.Not.Null);
        var headers = await response!.AllHeadersAsync();
        Assert.Multiple(() =>
        {
            Assert.That(headers.GetValueOrDefault("content-security-policy"), Is.EqualTo(SecurityHeaders.ContentSecurityPolicy));
            Assert.That(headers.GetValueOrDefault("x-frame-options"), Is.EqualTo("DENY"));
        });
    }

    private async Task<ScannerPage> OpenScannerAsync(StaffMember staff)
    {
        var scanner = new ScannerPage(_page);
        await scanner.OpenAsync(staff);
        return scanner;
    }

    private static string NewCheckpointId() =>
        "csp-gate-" + RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
}
