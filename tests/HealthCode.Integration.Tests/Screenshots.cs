using Microsoft.Playwright;

namespace HealthCode.Integration.Tests;

internal static class Screenshots
{
    /// <summary>
    /// Saves a full-page screenshot to the test's work directory, named after the test (plus
    /// <paramref name="suffix"/> when a test takes several), and attaches it to the result.
    /// </summary>
    public static async Task<string> SaveAsync(IPage page, string description, string? suffix = null)
    {
        var test = TestContext.CurrentContext.Test;
        var name = test.MethodName ?? test.Name;
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, suffix is null ? $"{name}.png" : $"{name}-{suffix}.png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path, description);
        return path;
    }
}
