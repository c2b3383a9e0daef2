using Microsoft.Playwright;

namespace HealthCode.Integration.Tests;

/// <summary>
/// What a page reported while a test drove it: uncaught script errors, console errors, and Content-Security-Policy
/// violations (Chromium logs a blocked script or style as a console error; the page's own
/// <c>securitypolicyviolation</c> event is logged too, so a violation is seen even where Chromium stays quiet).
/// </summary>
internal sealed class PageConsole
{
    // Runs before the page's own scripts, injected by the browser's debugging protocol, which the page's CSP does not govern.
    private const string ReportViolations = """
        document.addEventListener('securitypolicyviolation', (e) =>
            console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline code'} at ${e.sourceFile}:${e.lineNumber}`));
        """;

    private readonly List<string> errors = [];
    private readonly Lock gate = new();

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (gate)
            {
                return [.. errors];
            }
        }
    }

    public static async Task<PageConsole> WatchAsync(IPage page)
    {
        var console = new PageConsole();
        await page.AddInitScriptAsync(ReportViolations);
        page.Console += (_, message) =>
        {
            // Chromium also logs every non-2xx fetch ("Failed to load resource"), and the pages expect
            // some (404 no_declaration, 401 after a revocation); what matters are the page's own errors.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                console.Add(message.Text);
            }
        };
        page.PageError += (_, error) => console.Add(error);
        return console;
    }

    private void Add(string error)
    {
        lock (gate)
        {
            errors.Add(error);
        }
    }
}

/// <summary>A page in a browser context of its own (phone-sized, Chinese: <see cref="ServiceFixture.PhoneContextOptions"/>), watched from its first document.</summary>
internal sealed record WatchedPage(IBrowserContext Context, IPage Page, PageConsole Console)
{
    public static async Task<WatchedPage> OpenAsync(IBrowser browser, BrowserNewContextOptions? options = null)
    {
        var context = await browser.NewContextAsync(options ?? ServiceFixture.PhoneContextOptions());
        // A 2-core machine running the service, the SDK and Chromium: allow more than the default 5 s.
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        return new WatchedPage(context, page, await PageConsole.WatchAsync(page));
    }

    /// <summary>
    /// Closes the context; when the test failed, first saves a screenshot of the page and writes what its console
    /// reported, and the service's output when given.
    /// </summary>
    public async Task CloseAsync(string? serviceOutput = null)
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            await Screenshots.SaveAsync(Page, "the page when the test failed", "failed");
            await TestContext.Out.WriteLineAsync($"browser console errors:\n{string.Join('\n', Console.Errors)}"
                + (serviceOutput is null ? "" : $"\n--- service output ---\n{serviceOutput}"));
        }

        await Context.DisposeAsync();
    }
}
