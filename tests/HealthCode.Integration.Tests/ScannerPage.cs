using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HealthCode.Integration.Tests;

/// <summary>The checkpoint scanner at <c>/scan.html</c>, driven the way staff use it.</summary>
internal sealed class ScannerPage(IPage page)
{
    public IPage Page { get; } = page;

    /// <summary>The answer panel; <c>data-result</c> is idle, checking, green, yellow, red, invalid or error.</summary>
    public ILocator Result => Page.Locator("#result");

    public ILocator MaskedName => Page.Locator("#result-name");

    public ILocator IdTail => Page.Locator("#result-tail");

    public ILocator Reason => Page.Locator("#result-reason");

    /// <summary>The keyboard-wedge input a USB scan gun types into.</summary>
    public ILocator Wedge => Page.Locator("#wedge");

    public ILocator SetupView => Page.Locator("#view-setup");

    public ILocator ScanView => Page.Locator("#view-scan");

    public ILocator Message => Page.Locator("#message-text");

    public ILocator CameraStatus => Page.Locator("#camera-status");

    public ILocator LookupMessage => Page.Locator("#lookup-message");

    /// <summary>Who is signed in, at which checkpoint of which province, from the token's own record.</summary>
    public ILocator SignedIn => Page.Locator("#scan-checkpoint");

    public ILocator TokenInput => Page.Locator("#setup-token");

    /// <summary>Why the token was refused at set-up; <c>data-code</c> is the service's 401 code.</summary>
    public ILocator TokenError => Page.Locator("#setup-token-error");

    /// <summary>How the issuer's key is trusted; <c>data-route</c> is own, bilateral or hub.</summary>
    public ILocator Route => Page.Locator("#result-route");

    /// <summary>
    /// Opens the page the way an operator's link does, the token in the fragment; the link's <c>checkpoint=</c> is
    /// the one older links carried, which the page now ignores (the token says its checkpoint).
    /// </summary>
    public async Task OpenAsync(StaffMember staff)
    {
        await Page.GotoAsync(
            $"/scan.html#token={Uri.EscapeDataString(staff.Token)}&checkpoint={Uri.EscapeDataString(staff.CheckpointId)}");
        await Expect(ScanView).ToBeVisibleAsync();
    }

    /// <summary>What a scan gun does: types the QR text fast and ends it with Enter, into whatever has the focus.</summary>
    public async Task ScanWithGunAsync(string qrText)
    {
        await Page.Keyboard.TypeAsync(qrText);
        await Page.Keyboard.PressAsync("Enter");
    }

    /// <summary>Pastes <paramref name="token"/> on the set-up view and saves it, as a staff member does by hand.</summary>
    public async Task SaveTokenAsync(string token)
    {
        await TokenInput.FillAsync(token);
        await Page.Locator("#setup-save").ClickAsync();
    }

    /// <summary>
    /// Asserts that <paramref name="element"/> is drawn wholly inside the viewport, with the page not scrolled: seen
    /// without scrolling.
    /// </summary>
    public async Task AssertInViewportAsync(ILocator element, string what)
    {
        var viewport = Page.ViewportSize ?? throw new InvalidOperationException("The context has no viewport size.");
        var box = await element.BoundingBoxAsync() ?? throw new AssertionException($"{what} is not drawn");
        var scrolled = await Page.EvaluateAsync<double>("() => window.scrollY");
        Assert.Multiple(() =>
        {
            Assert.That(scrolled, Is.Zero, "the page is not scrolled");
            Assert.That(box.Height, Is.GreaterThan(0), $"{what} has a height");
            Assert.That(box.X, Is.GreaterThanOrEqualTo(0), $"{what}: left edge inside the viewport");
            Assert.That(box.Y, Is.GreaterThanOrEqualTo(0), $"{what}: top edge inside the viewport");
            Assert.That(box.X + box.Width, Is.LessThanOrEqualTo(viewport.Width), $"{what}: right edge inside the viewport");
            Assert.That(box.Y + box.Height, Is.LessThanOrEqualTo(viewport.Height), $"{what}: bottom edge ({box.Y + box.Height:F0} px) inside the viewport ({viewport.Height} px)");
        });
    }

    public async Task StartCameraAsync() => await Page.Locator("#camera-toggle").ClickAsync();

    public async Task LookUpAsync(string idNumber, string name)
    {
        await Page.Locator("#tab-lookup").ClickAsync();
        await Page.Locator("#lookup-id").FillAsync(idNumber);
        await Page.Locator("#lookup-name").FillAsync(name);
        await Page.Locator("#lookup-submit").ClickAsync();
    }

    public Task<string> SaveScreenshotAsync(string description, string? suffix = null) =>
        Screenshots.SaveAsync(Page, description, suffix);
}
