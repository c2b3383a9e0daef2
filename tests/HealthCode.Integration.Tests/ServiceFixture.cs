using Microsoft.Playwright;

namespace HealthCode.Integration.Tests;

/// <summary>
/// One real HealthCode.Api process and one headless Chromium for every test in this namespace.
/// Tests open their own browser context, so they share no cookies or storage.
/// </summary>
[SetUpFixture]
public sealed class ServiceFixture
{
    private static ApiProcess? s_api;
    private static IPlaywright? s_playwright;
    private static IBrowser? s_browser;

    internal static ApiProcess Api => s_api ?? throw new InvalidOperationException("The service has not started.");

    internal static IBrowser Browser => s_browser ?? throw new InvalidOperationException("Chromium has not started.");

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        s_api = await ApiProcess.StartAsync(TestContext.CurrentContext.CancellationToken);

        s_playwright = await Playwright.CreateAsync();
        s_browser = await LaunchChromiumAsync();
    }

    /// <summary>
    /// Starts another headless Chromium with <paramref name="extraArgs"/> on top of the usual ones,
    /// for a test that needs browser-wide switches (a fake camera); the caller disposes it.
    /// </summary>
    internal static Task<IBrowser> LaunchChromiumAsync(params string[] extraArgs) =>
        LaunchChromiumAsync(s_playwright ?? throw new InvalidOperationException("Playwright has not started."), extraArgs);

    /// <summary>Headless Chromium through <paramref name="playwright"/>, for tests outside this namespace (a federation's pages).</summary>
    internal static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright, params string[] extraArgs)
    {
        // The Debian chromium package; Playwright's own browser download is never used here.
        return playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                .. extraArgs,
            ],
        });
    }

    /// <summary>A phone-sized, Chinese-locale browser context against the service, as the pages' users have.</summary>
    internal static BrowserNewContextOptions PhoneContextOptions() => PhoneContextOptions(Api.BaseAddress);

    /// <summary>As <see cref="PhoneContextOptions()"/>, against the service at <paramref name="baseAddress"/> (one province of a federation).</summary>
    internal static BrowserNewContextOptions PhoneContextOptions(Uri baseAddress) => new()
    {
        BaseURL = baseAddress.ToString(),
        ViewportSize = new() { Width = 390, Height = 844 },
        DeviceScaleFactor = 2,
        IsMobile = true,
        HasTouch = true,
        Locale = "zh-CN",
        TimezoneId = "Asia/Shanghai",
    };

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (s_browser is not null)
        {
            await s_browser.DisposeAsync();
            s_browser = null;
        }

        s_playwright?.Dispose();
        s_playwright = null;

        if (s_api is not null)
        {
            await s_api.DisposeAsync();
            s_api = null;
        }
    }
}
