using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NUnit.Framework.Interfaces;
using static Microsoft.Playwright.Assertions;

namespace HealthCode.Integration.Tests;

/// <summary>
/// The checkpoint scanner in real headless Chromium on a phone-sized screen, against the real
/// service: codes the service issued, read by a fake camera or typed by a scan gun.
/// </summary>
[TestFixture]
public sealed class ScannerPageTests
{
    private const string ResidentName = "张小艺";
    private const string MaskedResidentName = "张*艺";

    private PageConsole? _console;
    private ServiceClient _service = null!;
    private IBrowser? _cameraBrowser;
    private IBrowserContext? _context;
    private ScannerPage? _scanner;
    private string? _workDirectory;

    [SetUp]
    public void SetUp()
    {
        // A 2-core machine running the service, the SDK and Chromium: allow more than the default 5 s.
        SetDefaultExpectTimeout(15_000);
        _console = null;
        _service = new ServiceClient();
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == TestStatus.Failed && _scanner is not null)
        {
            await _scanner.SaveScreenshotAsync("the page when the test failed", "failed");
            await TestContext.Out.WriteLineAsync(
                $"browser console errors:\n{string.Join('\n', _console?.Errors ?? [])}\n--- service output ---\n{ServiceFixture.Api.Output}");
        }

        if (_context is not null)
        {
            await _context.DisposeAsync();
        }

        if (_cameraBrowser is not null)
        {
            await _cameraBrowser.DisposeAsync();
        }

        _service.Dispose();
        if (_workDirectory is not null)
        {
            Directory.Delete(_workDirectory, recursive: true);
        }

        _context = null;
        _cameraBrowser = null;
        _scanner = null;
        _workDirectory = null;
    }

    [Test]
    public async Task Camera_ReadsAQrTheServiceIssued_ShowsGreenWithMaskedNameAndIdTail_AndVerifiesItOnce()
    {
        var staff = await _service.EnrolStaffAsync(NewCheckpointId());
        var idNumber = IdNumbers.NewValid();
        var scanner = await OpenCameraScannerAsync(staff, await _service.DeclareResidentAsync(ResidentName, idNumber));
        var verifyRequests = 0;
        scanner.Page.Request += (_, request) =>
        {
            if (request.Url.EndsWith("/api/v1/verify", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref verifyRequests);
            }
        };

        await scanner.StartCameraAsync();

        await Expect(scanner.Result).ToHaveAttributeAsync("data-result", "green", new() { Timeout = 20_000 });
        await Expect(scanner.MaskedName).ToHaveTextAsync(MaskedResidentName);
        await Expect(scanner.IdTail).ToHaveTextAsync(idNumber[^4..]);
        await Expect(scanner.Page.Locator("#result-word")).ToHaveTextAsync("绿码 通行");
        await Expect(scanner.Page.Locator("#result-issuer")).Not.ToBeEmptyAsync();
        await Expect(scanner.Page.Locator("#camera-video")).ToBeVisibleAsync();
        await scanner.SaveScreenshotAsync("green: a service-issued QR read by the fake camera", "green");

        // The code stays in front of the camera (the video loops): one verify, not one per frame.
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Multiple(() =>
        {
            Assert.That(Volatile.Read(ref verifyRequests), Is.EqualTo(1), "the same code in view is verified once");
            Assert.That(_console!.Errors, Is.Empty, "no script errors in the browser console");
        });
    }

    [Test]
    public async Task ScanGun_TypedCodeAndEnter_ShowsGreen_ThenGarbageShowsMalformed_AndIsReadyForTheNext()
    {
        var staff = await _service.EnrolStaffAsync(NewCheckpointId());
        var idNumber = IdNumbers.NewValid();
        var qrText = await _service.GetQrTextAsync(await _service.DeclareResidentAsync(ResidentName, idNumber));
        var scanner = await OpenScannerAsync(ServiceFixture.Browser, staff);

        // The token came in the fragment: kept by the page, gone from the address bar.
        await Expect(scanner.Page).ToHaveURLAsync(new Regex(@"/scan\.html$"));
        await Expect(scanner.Page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        await Expect(scanner.Wedge).ToBeFocusedAsync();

        await scanner.ScanWithGunAsync(qrText);

        await Expect(scanner.Result).ToHaveAttributeAsync("data-result", "green");
        await Expect(scanner.MaskedName).ToHaveTextAsync(MaskedResidentName);
        await Expect(scanner.IdTail).ToHaveTextAsync(idNumber[^4..]);
        await Expect(scanner.Route).ToHaveTextAsync("本省签发");
        await Expect(scanner.Wedge).ToBeFocusedAsync();
        await Expect(scanner.Wedge).ToHaveValueAsync(string.Empty);

        await scanner.ScanWithGunAsync("HC1:/1234");

        await Expect(scanner.Result).ToHaveAttributeAsync("data-result", "invalid");
        await Expect(scanner.Page.Locator("#result-word")).ToHaveTextAsync("无效码");
        await Expect(scanner.Reason).ToHaveAttributeAsync("data-code", "malformed");
        await Expect(scanner.Reason).ToHaveTextAsync("无法识别此二维码，请让对方打开健康码重新出示。");
        await Expect(scanner.Page.Locator("#result-person")).ToBeHiddenAsync();
        await Expect(scanner.Wedge).ToBeFocusedAsync();
        await Expect(scanner.Wedge).ToHaveValueAsync(string.Empty);
        await scanner.SaveScreenshotAsync("invalid: garbage typed by a scan gun", "invalid");

        // In English the reason is English; the switch leaves the scan gun input ready.
        await scanner.Page.Locator("#lang-switch").ClickAsync();
        await Expect(scanner.Page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(scanner.Wedge).ToBeFocusedAsync();
        await scanner.ScanWithGunAsync("HC1:/1234");
        await Expect(scanner.Reason).ToHaveTextAsync(new Regex("^Not a readable health code"));
        await Expect(scanner.Page.Locator("#result-word")).ToHaveTextAsync("Invalid code");

        Assert.That(_console!.Errors, Is.Empty, "no script errors in the browser console");
    }

    [Test]
    public async Task ScanGun_RedCode_ShowsStopInRed_WithTheNameToCompare()
    {
        var staff = await _service.EnrolStaffAsync(NewCheckpointId());
        var idNumber = IdNumbers.NewValid();
        var qrText = await _service.GetQrTextAsync(
            await _service.DeclareResidentAsync(ResidentName, idNumber, confirmedCaseContact: true));
        var scanner = await OpenScannerAsync(ServiceFixture.Browser, staff);

        await scanner.ScanWithGunAsync(qrText);

        await Expect(scanner.Result).ToHaveAttributeAsync("data-result", "red");
        await Expect(scanner.Page.Locator("#result-word")).ToHaveTextAsync("红码 禁止通行");
        await Expect(scanner.MaskedName).ToHaveTextAsync(MaskedResidentName);
        await Expect(scanner.Reason).ToBeHiddenAsync();
        await Expect(scanner.Page.Locator("body")).ToHaveAttributeAsync("data-result", "red");
        await scanner.SaveScreenshotAsync("red: stop", "red");
    }

    [Test]
    public async Task Camera_Unavailable_SaysSo_AndTheScanGunStillWorks()
    {
        var staff = await _service.EnrolStaffAsync(NewCheckpointId());
        var idNumber = IdNumbers.NewValid();
        var qrText = await _service.GetQrTextAsync(await _service.DeclareResidentAsync(ResidentName, idNumber));
        // The shared browser has neither a camera nor a permission for one.
        var scanner = await OpenScannerAsync(ServiceFixture.Browser, staff);

        await scanner.StartCameraAsync();

        await Expect(scanner.CameraStatus).ToHaveAttributeAsync("data-kind", "error");
        await Expect(scanner.CameraStatus).ToContainTextAsync("扫码枪");
        await Expect(scanner.Page.Locator("#camera-video")).ToBeHiddenAsync();
        await Expect(scanner.Wedge).ToBeFocusedAsync();

        await scanner.ScanWithGunAsync(qrText);
        await Expect(scanner.Result).ToHaveAttributeAsync("data-result", "green");
        await Expect(scanner.IdTail).ToHaveTextAsync(idNumber[^4..]);
    }

    [Test]
    public async Task Lookup_ByIdNumberAndName_ShowsTheColourAndMaskedName_AndAWrongNameIsNotFound()
    {
        var staff = await _service.EnrolStaffAsync(NewCheckpointId());
        var idNumber = IdNumbers.NewValid();
        await _service.DeclareResidentAsync("李小红", idNumber);
        var scanner = await OpenScannerAsync(ServiceFixture.Browser, staff);

        await scanner.LookUpAsync(idNumber, "李小红");

        await Expect(scanner.Result).ToHaveAttributeAsync("data-result", "green");
        await Expect(scanner.MaskedName).ToHaveTextAsync("李*红");
        await Expect(scanner.IdTail).ToHaveTextAsync(idNumber[^4..]);
        await Expect(scanner.Page.Locator("#result-meta")).ToHaveTextAsync("身份证查询结果");
        await Expect(scanner.LookupMessage).ToBeHiddenAsync();
        await Expect(scanner.Page.Locator("#lookup-id")).ToHaveValueAsync(string.Empty);

        await scanner.LookUpAsync(idNumber, "李小明");

        await Expect(scanner.LookupMessage).ToBeVisibleAsync();
        await Expect(scanner.LookupMessage).ToHaveAttributeAsync("data-status", "404");
        await Expect(scanner.LookupMessage).ToContainTextAsync("未找到该居民的申报记录");
        await Expect(scanner.Result).ToHaveAttributeAsync("data-result", "idle");
        await scanner.SaveScreenshotAsync("lookup: not found", "not-found");
        Assert.That(_console!.Errors, Is.Empty, "no script errors in the browser console");
    }

    [Test]
    public async Task RevokedStaffToken_SendsThePageBackToSetUp_WithTheReason()
    {
        var staff = await _service.EnrolStaffAsync(NewCheckpointId());
        var scanner = await OpenScannerAsync(ServiceFixture.Browser, staff);
        await _service.RevokeStaffAsync(staff);

        await scanner.ScanWithGunAsync("HC1:/1234");

        await Expect(scanner.SetupView).ToBeVisibleAsync();
        await Expect(scanner.ScanView).ToBeHiddenAsync();
        await Expect(scanner.Message).ToHaveTextAsync("令牌无效或已过期，请向管理员重新申请");
        await Expect(scanner.Page.Locator("#setup-token")).ToHaveValueAsync(string.Empty);

        // The revoked token is forgotten: a reload still asks for a new one.
        await scanner.Page.ReloadAsync();
        await Expect(scanner.SetupView).ToBeVisibleAsync();
    }

    [Test]
    public async Task SetUp_WithoutAToken_AsksForOne_AndAPastedTokenOpensTheScanner_AtTheTokensCheckpoint()
    {
        var staff = await _service.EnrolStaffAsync(NewCheckpointId(), "李检查");
        var scanner = await OpenBlankScannerAsync();

        await Expect(scanner.SetupView).ToBeVisibleAsync();
        await Expect(scanner.Page.Locator("#setup-checkpoint")).ToHaveCountAsync(0);
        await scanner.Page.Locator("#setup-save").ClickAsync();
        await Expect(scanner.TokenInput).ToHaveAttributeAsync("aria-invalid", "true");

        await scanner.SaveTokenAsync(staff.Token);

        // The checkpoint is the token's, as the service's record of it says: nothing was typed but the token.
        await Expect(scanner.ScanView).ToBeVisibleAsync();
        await Expect(scanner.SignedIn).ToHaveAttributeAsync("data-checkpoint", staff.CheckpointId);
        await Expect(scanner.SignedIn).ToHaveTextAsync($"李检查 · 检查点 {staff.CheckpointId} · 河南省");
        await Expect(scanner.Wedge).ToBeFocusedAsync();
        await scanner.Page.ReloadAsync();
        await Expect(scanner.ScanView).ToBeVisibleAsync();
        await Expect(scanner.SignedIn).ToContainTextAsync(staff.CheckpointId);
        await scanner.SaveScreenshotAsync("signed in: the token's name, checkpoint and province", "signed-in");
        Assert.That(_console!.Errors, Is.Empty, "no script errors in the browser console");
    }

    [Test]
    public async Task SetUp_WithAMadeUpToken_IsRefusedThere_SayingWhatToDo_AndKeepsNothing()
    {
        var scanner = await OpenBlankScannerAsync();

        await scanner.SaveTokenAsync("made-up-" + RandomNumberGenerator.GetHexString(32));

        await Expect(scanner.TokenError).ToBeVisibleAsync();
        await Expect(scanner.TokenError).ToHaveAttributeAsync("data-code", "staff_token_invalid");
        await Expect(scanner.TokenError).ToContainTextAsync("向管理员申请新令牌");
        await Expect(scanner.TokenInput).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(scanner.SetupView).ToBeVisibleAsync();
        await Expect(scanner.ScanView).ToBeHiddenAsync();
        await scanner.SaveScreenshotAsync("a made-up token refused at set-up", "refused");

        await scanner.Page.Locator("#lang-switch").ClickAsync();
        await Expect(scanner.TokenError).ToContainTextAsync("ask your administrator for a new one");

        // Nothing of it was kept: a reload asks for a token again.
        await scanner.Page.ReloadAsync();
        await Expect(scanner.SetupView).ToBeVisibleAsync();
        await Expect(scanner.TokenInput).ToHaveValueAsync(string.Empty);
    }

    [Test]
    public async Task SetUp_WithARevokedToken_IsRefusedThere_AsRevoked()
    {
        var staff = await _service.EnrolStaffAsync(NewCheckpointId());
        await _service.RevokeStaffAsync(staff);
        var scanner = await OpenBlankScannerAsync();

        await scanner.SaveTokenAsync(staff.Token);

        await Expect(scanner.TokenError).ToHaveAttributeAsync("data-code", "staff_token_revoked");
        await Expect(scanner.TokenError).ToHaveTextAsync("该令牌已被管理员吊销。请向管理员申请新令牌。");
        await Expect(scanner.TokenInput).ToHaveValueAsync(string.Empty);
        await Expect(scanner.ScanView).ToBeHiddenAsync();
    }

    [Test]
    public async Task Phone_CameraViewAndTheLastVerdict_AreBothOnScreen_WithoutScrolling()
    {
        var staff = await _service.EnrolStaffAsync(NewCheckpointId());
        var idNumber = IdNumbers.NewValid();
        var scanner = await OpenCameraScannerAsync(staff, await _service.DeclareResidentAsync(ResidentName, idNumber));

        await scanner.StartCameraAsync();

        await Expect(scanner.Result).ToHaveAttributeAsync("data-result", "green", new() { Timeout = 20_000 });
        await Expect(scanner.IdTail).ToHaveTextAsync(idNumber[^4..]);
        await Expect(scanner.Route).ToHaveAttributeAsync("data-route", "own");
        var camera = scanner.Page.Locator("#camera-video");
        await Expect(camera).ToBeVisibleAsync();
        await scanner.AssertInViewportAsync(camera, "the camera view");
        await scanner.AssertInViewportAsync(scanner.Result, "the verdict");
        await scanner.AssertInViewportAsync(scanner.Page.Locator("#result-person"), "the name, ID tail and issuer to compare");
        await scanner.SaveScreenshotAsync("390×844: the camera view and the green verdict together", "viewport");

        // An invalid code's verdict, with its reason, fits beside the camera view as well.
        await scanner.ScanWithGunAsync("HC1:/1234");
        await Expect(scanner.Result).ToHaveAttributeAsync("data-result", "invalid");
        await scanner.AssertInViewportAsync(camera, "the camera view");
        await scanner.AssertInViewportAsync(scanner.Reason, "the reason of an invalid verdict");
        await scanner.AssertInViewportAsync(scanner.Result, "the invalid verdict");
    }

    [Test]
    public async Task EveryFieldAndButton_IsStyledAlike_TokenLookupAndScanGun()
    {
        var staff = await _service.EnrolStaffAsync(NewCheckpointId());
        var scanner = await OpenScannerAsync(ServiceFixture.Browser, staff);

        // Computed styles of each: the set-up's token field is styled even while its view is hidden. Not the border's
        // colour: the scan gun field has the focus, and shows it.
        var fields = await StylesAsync(scanner.Page, "#setup-token, #lookup-id, #lookup-name, #wedge",
            "minHeight", "borderTopWidth", "borderTopStyle", "borderTopLeftRadius", "fontSize", "fontFamily", "paddingLeft", "backgroundColor");
        var buttons = await StylesAsync(scanner.Page, "#setup-save, #lookup-submit, #camera-toggle, #tab-scan, #tab-lookup",
            "minHeight", "borderTopWidth", "borderTopLeftRadius", "fontSize", "fontWeight");

        Assert.Multiple(() =>
        {
            Assert.That(fields.Distinct(), Has.Exactly(1).Items, "the token, ID number, name and scan gun fields:\n" + string.Join('\n', fields));
            Assert.That(buttons.Distinct(), Has.Exactly(1).Items, "the buttons:\n" + string.Join('\n', buttons));
            Assert.That(fields[0], Does.Contain("minHeight=52px"), "a touch target's height");
        });
    }

    /// <summary>For each element matching <paramref name="selector"/>, its id and the computed <paramref name="properties"/>, as one line.</summary>
    private static async Task<string[]> StylesAsync(IPage page, string selector, params string[] properties)
    {
        var lines = await page.EvaluateAsync<string[]>(
            """
            ([selector, properties]) => [...document.querySelectorAll(selector)].map((el) => {
                const style = getComputedStyle(el);
                return properties.map((p) => `${p}=${style[p]}`).join(' ');
            })
            """,
            new object[] { selector, properties });
        Assert.That(lines, Has.Length.EqualTo(selector.Split(',').Length), selector);
        return lines;
    }

    /// <summary>The page with nothing in its address or its tab's storage: the set-up view.</summary>
    private async Task<ScannerPage> OpenBlankScannerAsync()
    {
        var opened = await WatchedPage.OpenAsync(ServiceFixture.Browser);
        (_context, _console) = (opened.Context, opened.Console);
        _scanner = new ScannerPage(opened.Page);
        await opened.Page.GotoAsync("/scan.html");
        return _scanner;
    }

    /// <summary>
    /// The scanner on a phone whose camera films the resident's QR. The token in the picture lives for minutes: the video
    /// is made right before the browser starts.
    /// </summary>
    private async Task<ScannerPage> OpenCameraScannerAsync(StaffMember staff, string resident)
    {
        _workDirectory = Directory.CreateTempSubdirectory("healthcode-camera-").FullName;
        var video = await FakeCamera.VideoOfAsync(await _service.GetQrPngAsync(resident), _workDirectory);
        _cameraBrowser = await ServiceFixture.LaunchChromiumAsync(
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            $"--use-file-for-fake-video-capture={video}");
        var options = ServiceFixture.PhoneContextOptions();
        options.Permissions = ["camera"];
        return await OpenScannerAsync(_cameraBrowser, staff, options);
    }

    private async Task<ScannerPage> OpenScannerAsync(IBrowser browser, StaffMember staff, BrowserNewContextOptions? options = null)
    {
        var opened = await WatchedPage.OpenAsync(browser, options);
        (_context, _console) = (opened.Context, opened.Console);
        _scanner = new ScannerPage(opened.Page);
        await _scanner.OpenAsync(staff);
        return _scanner;
    }

    /// <summary>A checkpoint of this test alone, so its staff member and audit entries are its own.</summary>
    private static string NewCheckpointId() =>
        "it-gate-" + RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
}
