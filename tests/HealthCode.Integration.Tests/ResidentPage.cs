using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HealthCode.Integration.Tests;

/// <summary>The resident page at <c>/</c>, driven the way a resident uses it.</summary>
internal sealed class ResidentPage(IPage page)
{
    public IPage Page { get; } = page;

    public ILocator CodeFrame => Page.Locator("#code-frame");

    public ILocator Qr => Page.Locator("#qr");

    /// <summary>A phone number no other test uses, so each test is its own resident.</summary>
    public static string NewPhone() =>
        "139" + RandomNumberGenerator.GetInt32(0, 100_000_000).ToString("D8", CultureInfo.InvariantCulture);

    public async Task OpenAsync() => await Page.GotoAsync("/");

    /// <summary>Logs in with the code the Development service returns and lands on the form.</summary>
    public async Task LogInAsync(string phone)
    {
        var login = Page.Locator("#view-login");
        await login.GetByLabel("手机号").FillAsync(phone);
        await login.GetByRole(AriaRole.Button, new() { Name = "获取验证码" }).ClickAsync();

        var devCode = Page.Locator("#dev-code");
        await Expect(devCode).ToContainTextAsync("开发模式验证码");
        var code = (await devCode.TextContentAsync() ?? string.Empty).Split('：', ':')[^1].Trim();
        Assert.That(code, Is.Not.Empty, "the Development OTP answer carries devCode");
        await Expect(Page.Locator("#login-code")).ToHaveValueAsync(code);

        await Page.Locator("#login-button").ClickAsync();
        await Expect(Page.Locator("#view-declare")).ToBeVisibleAsync();
        await Expect(Page.Locator("#decl-phone")).ToHaveValueAsync(phone);
    }

    public async Task FillDeclarationAsync(
        string name, string idNumber, string region, string temperature, params string[] symptoms)
    {
        await Page.Locator("#decl-name").FillAsync(name);
        await Page.Locator("#decl-id").FillAsync(idNumber);
        await Page.Locator("#decl-region").FillAsync(region);
        await Page.Locator("#decl-temperature").FillAsync(temperature);
        foreach (var symptom in symptoms)
        {
            await Page.Locator($"input[name=symptoms][value={symptom}]").CheckAsync();
        }
    }

    public async Task SubmitAsync() => await Page.Locator("#submit-declaration").ClickAsync();

    /// <summary>
    /// Waits until the page has drawn a QR on its canvas (from the text the service signed: <c>data-text</c>); returns
    /// the canvas's width in device pixels.
    /// </summary>
    public async Task<int> WaitForQrImageAsync()
    {
        await Page.WaitForFunctionAsync(
            "() => { const c = document.getElementById('qr'); return Boolean(c.dataset.text) && c.width > 0; }");
        return await Qr.EvaluateAsync<int>("canvas => canvas.width");
    }

    /// <summary>Opens the region picker of the field that holds <paramref name="input"/>.</summary>
    public async Task OpenRegionPickerAsync(ILocator input)
    {
        await input.Locator("xpath=ancestor::div[contains(@class,'field')][1]").Locator("[data-region-pick]").ClickAsync();
        await Expect(Page.Locator("#region-dialog")).ToBeVisibleAsync();
    }

    /// <summary>Saves a full-page screenshot to the test's work directory and attaches it to the result.</summary>
    public Task<string> SaveScreenshotAsync(string description) => Screenshots.SaveAsync(Page, description);
}
