using System.Text.Json.Nodes;
using HealthCode.Integration.Tests;
using Microsoft.Playwright;
using static HealthCode.Integration.Federation.ServiceAnswers;
using static Microsoft.Playwright.Assertions;

namespace HealthCode.Integration.Federation;

/// <summary>
/// The route a partner's code came by, in the verdict and on the scanner page (issue 12): one Henan code, scanned at
/// Henan (its own keys), at Zhejiang (Henan's root pinned there: bilateral) and at Guangdong (Henan known only through
/// the national hub), on the processes of <see cref="FederationTopology"/>, the page in headless Chromium at 390×844.
/// </summary>
/// <remarks>Its own topology: FederationTests' tests change keys and partners that these answers depend on.</remarks>
[TestFixture]
public sealed class ScannerRouteTests
{
    private FederationTopology _topology = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private Resident _henanResident = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _topology = await FederationTopology.StartAsync(TestContext.CurrentContext.CancellationToken);
        _playwright = await Playwright.CreateAsync();
        _browser = await ServiceFixture.LaunchChromiumAsync(_playwright);
        _henanResident = await _topology.Henan.NewResidentAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_topology is not null)
        {
            await _topology.DisposeAsync();
        }
    }

    // A 2-core machine running four services, Redis and Chromium: allow more than Playwright's default 5 s.
    [SetUp]
    public void AllowForASlowMachine() => SetDefaultExpectTimeout(15_000);

    [TearDown]
    public void ReportProcessOutputOnFailure() => FederationTopology.ReportOnFailure(() => _topology?.OutputTails() ?? "");

    [Test]
    public async Task Verdict_SaysTheRoute_OwnAtHenan_BilateralAtZhejiang_HubAtGuangdong()
    {
        var atHenan = await VerifyAtAsync(_topology.Henan);
        var atZhejiang = await VerifyAtAsync(_topology.Zhejiang);
        var atGuangdong = await VerifyAtAsync(_topology.Guangdong);

        Assert.Multiple(() =>
        {
            Assert.That((string?)atHenan["route"], Is.EqualTo("own"), atHenan.ToJsonString());
            Assert.That((string?)atHenan["source"], Is.EqualTo("local"));
            Assert.That((string?)atZhejiang["route"], Is.EqualTo("bilateral"), atZhejiang.ToJsonString());
            Assert.That((string?)atZhejiang["source"], Is.EqualTo("partner"));
            Assert.That((string?)atGuangdong["route"], Is.EqualTo("hub"), atGuangdong.ToJsonString());
            Assert.That((string?)atGuangdong["source"], Is.EqualTo("partner"));
        });
    }

    [Test]
    public async Task Verdict_ForACodeThatDoesNotVerify_HasNoRoute()
    {
        var verdict = await _topology.Guangdong.Client.VerifyAsync(await _topology.Guangdong.EnrolStaffAsync(), "HC1:/1234");

        Assert.That(IsValid(verdict), Is.False);
        Assert.That(verdict.ContainsKey("route"), Is.False, verdict.ToJsonString());
    }

    [TestCase("330000", "bilateral", "双边互认", "bilateral recognition")]
    [TestCase("440000", "hub", "经全国枢纽互认", "recognised through the national hub")]
    public async Task ScannerPage_ShowsTheRouteOfAPartnersCode_InBothLanguages(string province, string route, string zh, string en)
    {
        var node = province == "330000" ? _topology.Zhejiang : _topology.Guangdong;
        var staff = await node.EnrolStaffAsync();
        var opened = await WatchedPage.OpenAsync(_browser, ServiceFixture.PhoneContextOptions(node.BaseAddress));
        try
        {
            var scanner = new ScannerPage(opened.Page);
            await scanner.OpenAsync(staff);
            await Expect(scanner.SignedIn).ToContainTextAsync(node.Name);

            // Signed now: the QR of the set-up may have expired while other tests ran (codes live minutes).
            await scanner.ScanWithGunAsync(await _henanResident.FreshQrAsync());

            await Expect(scanner.Result).ToHaveAttributeAsync("data-result", "green", new() { Timeout = 15_000 });
            await Expect(scanner.Page.Locator("#result-issuer")).ToHaveTextAsync("河南省 · 410000");
            await Expect(scanner.Route).ToHaveAttributeAsync("data-route", route);
            await Expect(scanner.Route).ToHaveTextAsync(zh);
            await scanner.AssertInViewportAsync(scanner.Route, "the route");
            await scanner.SaveScreenshotAsync($"a Henan code at {node.Name}: {route}", route);

            await scanner.Page.Locator("#lang-switch").ClickAsync();
            await Expect(scanner.Route).ToHaveTextAsync(en);
            Assert.That(opened.Console.Errors, Is.Empty, "no script errors in the browser console");
        }
        finally
        {
            await opened.CloseAsync(node.Output);
        }
    }

    private async Task<JsonObject> VerifyAtAsync(ProvinceNode node) =>
        await node.Client.VerifyAsync(await node.EnrolStaffAsync(), await _henanResident.FreshQrAsync());
}
