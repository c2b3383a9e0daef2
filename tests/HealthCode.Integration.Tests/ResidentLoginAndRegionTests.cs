using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HealthCode.Integration.Tests;

/// <summary>
/// The resident page's login and declaration form in Chromium at 390×844 (issue 12): Enter in the phone field sends
/// the code, the resend timer counts what the service enforces, and regions are picked by name (province, city,
/// district, search) with the place shown beside every code.
/// </summary>
[TestFixture]
internal sealed partial class ResidentLoginAndRegionTests : ResidentPageFixture
{
    [Test]
    public async Task EnterInThePhoneField_SendsTheCode_AndDoesNotTryToLogIn()
    {
        await Page.Locator("#login-phone").FillAsync(ResidentPage.NewPhone());
        var response = await Page.RunAndWaitForResponseAsync(
            () => Page.Locator("#login-phone").PressAsync("Enter"),
            r => r.Url.EndsWith("/api/v1/auth/otp", StringComparison.Ordinal));

        Assert.That(response.Status, Is.EqualTo(202));
        await Expect(Page.Locator("#dev-code")).ToContainTextAsync("开发模式验证码");
        await Expect(Page.Locator("#message")).ToContainTextAsync("验证码已发送");
        await Expect(Page.Locator("#login-code")).ToBeFocusedAsync();
        await Expect(Page.Locator("#login-code")).Not.ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(Page.Locator("#view-login")).ToBeVisibleAsync();
    }

    [Test]
    public async Task ResendTimer_CountsTheIntervalTheServiceEnforces_AndTheCodeItThenAsksForIsSent()
    {
        var phone = ResidentPage.NewPhone();
        await Page.Locator("#login-phone").FillAsync(phone);
        var response = await Page.RunAndWaitForResponseAsync(
            () => Page.Locator("#otp-button").ClickAsync(),
            r => r.Url.EndsWith("/api/v1/auth/otp", StringComparison.Ordinal));
        var resendAfter = JsonNode.Parse(await response.TextAsync())!["resendAfterSeconds"]!.GetValue<int>();
        Assert.That(resendAfter, Is.InRange(1, 600), "the OTP answer says when another code may be asked for");

        var button = Page.Locator("#otp-button");
        await Expect(button).ToBeDisabledAsync();
        await Expect(button).ToHaveTextAsync(new Regex(@"^\d+ 秒后可重新获取$"));
        var shown = SecondsOn(await button.TextContentAsync());
        Assert.That(shown, Is.InRange(1, resendAfter), "the page counts no longer than the service's interval");

        // A second phone (another browser) asking for the same number inside the interval is refused by the service
        // with Retry-After, and counts that down rather than a time of its own.
        var other = await WatchedPage.OpenAsync(ServiceFixture.Browser);
        try
        {
            var page = new ResidentPage(other.Page);
            await page.OpenAsync();
            await other.Page.Locator("#login-phone").FillAsync(phone);
            var refused = await other.Page.RunAndWaitForResponseAsync(
                () => other.Page.Locator("#otp-button").ClickAsync(),
                r => r.Url.EndsWith("/api/v1/auth/otp", StringComparison.Ordinal));
            Assert.That(refused.Status, Is.EqualTo(429));
            var retryAfter = int.Parse(await refused.HeaderValueAsync("retry-after") ?? "0", CultureInfo.InvariantCulture);
            await Expect(other.Page.Locator("#otp-button")).ToBeDisabledAsync();
            await Expect(other.Page.Locator("#message")).ToContainTextAsync("秒后重新获取验证码");
            Assert.That(SecondsOn(await other.Page.Locator("#otp-button").TextContentAsync()), Is.InRange(1, retryAfter));
        }
        finally
        {
            await other.CloseAsync();
        }

        // When the page lets the resident ask again, the service sends the code (no otp_too_frequent).
        await Expect(button).ToBeEnabledAsync(new() { Timeout = (resendAfter + 15) * 1000 });
        var again = await Page.RunAndWaitForResponseAsync(
            () => button.ClickAsync(),
            r => r.Url.EndsWith("/api/v1/auth/otp", StringComparison.Ordinal));
        Assert.That(again.Status, Is.EqualTo(202), await again.TextAsync());
    }

    [Test]
    public async Task RegionPicker_ChoosesProvinceCityAndDistrict_OrBySearch_AndNamesEveryCode()
    {
        await Resident.LogInAsync(ResidentPage.NewPhone());
        var region = Page.Locator("#decl-region");
        var dialog = Page.Locator("#region-dialog");

        // Province, city, then a district code under the city (the table names no districts).
        await Resident.OpenRegionPickerAsync(region);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "河南省", Exact = true }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "郑州市", Exact = true }).ClickAsync();
        await Expect(Page.Locator("#region-crumbs")).ToContainTextAsync("河南省 · 郑州市");
        await Page.Locator("#region-county-code").FillAsync("05");
        await Screenshots.SaveAsync(Page, "the region picker at the district step", "picker");
        await Page.Locator("#region-county-ok").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(region).ToHaveValueAsync("410105");
        await Expect(Page.Locator("#decl-region-name")).ToHaveTextAsync("河南省 · 郑州市 · 区县 410105");

        // By search, in either language: a city, taken whole.
        await Resident.OpenRegionPickerAsync(region);
        await Page.Locator("#region-search").FillAsync("guangzhou");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "广东省 · 广州市" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "广州市（全市，不细分区县）" }).ClickAsync();
        await Expect(region).ToHaveValueAsync("440100");
        await Expect(Page.Locator("#decl-region-name")).ToHaveTextAsync("广东省 · 广州市");

        // A code typed by hand is named too, and one that does not exist says so.
        await region.FillAsync("999999");
        await Expect(Page.Locator("#decl-region-name")).ToContainTextAsync("没有这个地区代码");
        await region.FillAsync("330100");
        await Expect(Page.Locator("#decl-region-name")).ToHaveTextAsync("浙江省 · 杭州市");

        // A travel stay gets the same picker and name.
        await Page.Locator("#add-travel").ClickAsync();
        var stay = Page.Locator("#travel-list [data-part=region]").First;
        await Resident.OpenRegionPickerAsync(stay);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "北京市", Exact = true }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "北京市市辖区", Exact = true }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "北京市市辖区（全市，不细分区县）" }).ClickAsync();
        await Expect(stay).ToHaveValueAsync("110100");
        await Expect(Page.Locator("#travel-list .region-name").First).ToHaveTextAsync("北京市 · 北京市市辖区");
        await Resident.SaveScreenshotAsync("the declaration form with place names beside the codes");

        await Page.Locator("#lang-switch").ClickAsync();
        await Expect(Page.Locator("#decl-region-name")).ToHaveTextAsync("Zhejiang · Hangzhou");
        Assert.That(Opened.Console.Errors, Is.Empty, "no script or policy errors in the browser console");
    }

    private static int SecondsOn(string? text) =>
        int.Parse(SecondsPattern().Match(text ?? "").Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\d+")]
    private static partial Regex SecondsPattern();
}
