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

    /// <summary>Opens the page the way an operator's link does: token and checkpoint in the fragment.</summary>
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
