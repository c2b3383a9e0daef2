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
        // The Debian chromium package; Playwright's own browser download is never used here.
        s_browser = await s_playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        });
    }

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
