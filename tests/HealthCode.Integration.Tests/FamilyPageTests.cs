using System.Diagnostics;
using Microsoft.Playwright;
using NUnit.Framework.Interfaces;
using static Microsoft.Playwright.Assertions;

namespace HealthCode.Integration.Tests;

/// <summary>
/// Family members on the resident page (DESIGN §8), in real headless Chromium on a phone-sized screen
/// against the real service: add a family member, declare for them, switch between codes, print the
/// family member's card, and scan the printed QR at a checkpoint.
/// </summary>
[TestFixture]
public sealed class FamilyPageTests
{
    private IBrowserContext _context = null!;
    private ResidentPage _resident = null!;
    private readonly List<string> _consoleErrors = [];

    [SetUp]
    public async Task OpenPageAsync()
    {
        SetDefaultExpectTimeout(15_000);
        _consoleErrors.Clear();
        _context = await ServiceFixture.Browser.NewContextAsync(ServiceFixture.PhoneContextOptions());
        _context.SetDefaultTimeout(15_000);
        var page = await _context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                _consoleErrors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => _consoleErrors.Add(error);
        _resident = new ResidentPage(page);
        await _resident.OpenAsync();
    }

    [TearDown]
    public async Task ClosePageAsync()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == TestStatus.Failed)
        {
            await _resident.SaveScreenshotAsync("the page when the test failed");
            await TestContext.Out.WriteLineAsync(
                $"browser console errors:\n{string.Join('\n', _consoleErrors)}\n--- service output ---\n{ServiceFixture.Api.Output}");
        }

        await _context.DisposeAsync();
    }

    [Test]
    public async Task Holder_AddsAFamilyMember_DeclaresForThem_SwitchesCodes_AndPrintsTheirCard_WhichScans()
    {
        var page = _resident.Page;
        var grandmaId = IdNumbers.NewValid();
        await _resident.LogInAsync(ResidentPage.NewPhone());
        await _resident.FillDeclarationAsync("张三", IdNumbers.NewValid(), "410100", "36.5");
        await _resident.SubmitAsync();
        await Expect(page.Locator("#code-person")).ToContainTextAsync("本人 · 张*");
        await Expect(page.Locator("#people")).ToBeHiddenAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "家庭成员（代申报）" }).ClickAsync();
        await Expect(page.Locator("#view-family")).ToBeVisibleAsync();
        await Expect(page.Locator("#family-empty")).ToBeVisibleAsync();
        await page.Locator("#dep-name").FillAsync("王秀英");
        await page.Locator("#dep-id").FillAsync(grandmaId);
        await page.Locator("#add-dependant").ClickAsync();
        var row = page.Locator(".family-row");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync($"王*英 · 身份证尾号 {grandmaId[^4..]}");
        await Expect(row).ToContainTextAsync("尚未申报");
        await Screenshots.SaveAsync(page, "the family list with one member", "family");

        await row.GetByRole(AriaRole.Button, new() { Name = "为其申报" }).ClickAsync();
        await Expect(page.Locator("#declare-for")).ToContainTextAsync("王*英");
        await Expect(page.Locator("#decl-id")).ToHaveValueAsync(grandmaId);
        await Expect(page.Locator("#decl-name")).ToHaveValueAsync("王秀英");
        await Expect(page.Locator("#decl-name")).ToHaveAttributeAsync("readonly", "");
        await page.Locator("#decl-region").FillAsync("410100");
        await page.Locator("#decl-temperature").FillAsync("36.4");
        await _resident.SubmitAsync();

        await Expect(page.Locator("#code-person")).ToContainTextAsync($"家人 · 王*英 · 身份证尾号 {grandmaId[^4..]}");
        await Expect(_resident.CodeFrame).ToHaveAttributeAsync("data-color", "green");
        await _resident.WaitForQrImageAsync();
        var chips = page.Locator("#people .person-chip");
        await Expect(chips).ToHaveCountAsync(2);
        await Expect(chips.Nth(1)).ToHaveAttributeAsync("aria-pressed", "true");
        await Screenshots.SaveAsync(page, "a family member's code with the switch", "dependant");

        await chips.Nth(0).ClickAsync();
        await Expect(page.Locator("#code-person")).ToContainTextAsync("本人 · 张*");
        await Expect(page.Locator("#print-code")).ToBeHiddenAsync();
        await chips.Nth(1).ClickAsync();
        await Expect(page.Locator("#code-person")).ToContainTextAsync("王*英");

        var popup = await page.RunAndWaitForPopupAsync(() => page.Locator("#print-code").ClickAsync());
        var card = popup.Locator("svg[role=img]");
        await Expect(card).ToBeVisibleAsync();
        await Expect(card).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex($"绿码 王\\*英 身份证尾号 {grandmaId[^4..]}"));
        var cardPng = Path.Combine(TestContext.CurrentContext.WorkDirectory, "printed-card.png");
        await card.ScreenshotAsync(new() { Path = cardPng });
        TestContext.AddTestAttachment(cardPng, "the printed card of a family member");

        var printed = await ZbarAsync(cardPng);
        using var service = new ServiceClient();
        var staff = await service.EnrolStaffAsync("metro-1-gate-2");
        var verdict = await service.VerifyAsync(staff, printed);
        Assert.Multiple(() =>
        {
            Assert.That(verdict["valid"]!.GetValue<bool>(), Is.True, verdict.ToJsonString());
            Assert.That(verdict["maskedName"]!.GetValue<string>(), Is.EqualTo("王*英"));
            Assert.That(verdict["idTail"]!.GetValue<string>(), Is.EqualTo(grandmaId[^4..]));
            Assert.That(_consoleErrors, Is.Empty, "no script or policy errors in the browser console");
        });
    }

    /// <summary>Reads a QR from an image with zbarimg (Debian zbar-tools), a decoder that shares no code with the service.</summary>
    private static async Task<string> ZbarAsync(string png)
    {
        using var zbar = Process.Start(new ProcessStartInfo("zbarimg", ["--raw", "-q", png]) { RedirectStandardOutput = true })!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = (await zbar.StandardOutput.ReadToEndAsync(timeout.Token)).Trim();
        await zbar.WaitForExitAsync(timeout.Token);
        Assert.That(read, Is.Not.Empty, "zbarimg read the printed QR");
        return read;
    }
}
