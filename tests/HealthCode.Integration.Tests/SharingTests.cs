using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using static Microsoft.Playwright.Assertions;

namespace HealthCode.Integration.Tests;

/// <summary>
/// The departments' data end to end (DESIGN §9), with real processes: a service of its own (the population register
/// it loads applies to every declaration there), the sample catalogue and the sample departments' keys, every sample
/// batch uploaded with the real <c>healthcode batch upload</c>, and a resident's code turning red in real Chromium with
/// the reason naming the CDC's list.
/// </summary>
[TestFixture]
public sealed class SharingTests
{
    // In the sample population register, and in no other sample batch: whatever else is loaded, green until the CDC's list.
    private const string Resident = "王秀英";
    private const string ResidentId = "410105194001010027";

    private ApiProcess service = null!;
    private ServiceClient client = null!;
    private readonly Dictionary<string, string> tokens = new(StringComparer.Ordinal);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        service = await ApiProcess.StartAsync(TestContext.CurrentContext.CancellationToken);
        client = new ServiceClient(service.BaseAddress);
        var catalog = JsonNode.Parse(await File.ReadAllTextAsync(SampleData("catalog.json")))!;
        foreach (var department in catalog["departments"]!.AsArray())
        {
            var code = department!["code"]!.GetValue<string>();
            var key = JsonNode.Parse(await File.ReadAllTextAsync(DepartmentKey(code, "public")));
            await client.OperatorAsync(HttpMethod.Post, "/api/v1/admin/departments", new { code, name = department["name"]!.GetValue<string>(), key }, HttpStatusCode.Created);
            var created = await client.OperatorAsync(HttpMethod.Post, "/api/v1/admin/operators", new { name = $"{code} 数据员", roles = new[] { $"department:{code}" } }, HttpStatusCode.Created);
            tokens[code] = created!["token"]!.GetValue<string>();
        }

        foreach (var entry in catalog["entries"]!.AsArray())
        {
            await client.OperatorAsync(HttpMethod.Post, "/api/v1/admin/catalog", entry, HttpStatusCode.Created);
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        client.Dispose();
        await service.DisposeAsync();
    }

    [Test]
    public async Task EverySampleBatch_UploadedWithTheCli_IsApplied_AndTheCatalogueShowsIt()
    {
        var uploads = new (string Provider, string Source, string File)[]
        {
            ("GA", "410000-GA-001", "population.csv"),
            ("WJW", "410000-WJW-001", "risk_areas.csv"),
            ("CDC", "410000-CDC-001", "cases.csv"),
            ("CDC", "410000-CDC-002", "close_contacts.csv"),
            ("LAB-01", "410000-LAB-01-001", "tests.ndjson"),
            ("JT", "410000-JT-001", "travel.csv"),
        };

        foreach (var (provider, source, file) in uploads)
        {
            var rows = File.ReadLines(SampleData(file)).Count(l => l.Trim().Length > 0) - (file.EndsWith(".csv", StringComparison.Ordinal) ? 1 : 0);
            var (exit, output) = await UploadAsync(provider, source, SampleData(file));
            Assert.That(exit, Is.Zero, $"{file}:\n{output}");
            Assert.That(output, Does.Contain($"applied, {rows} of {rows} rows"), file);
        }

        var published = JsonNode.Parse((await client.GetTextAsync("/api/v1/catalog")).Body)!["entries"]!.AsArray();
        foreach (var (_, source, _) in uploads)
        {
            var entry = published.Single(e => e!["code"]!.GetValue<string>() == source)!;
            Assert.That(entry["rows"]!.GetValue<long>(), Is.GreaterThan(0), source);
            Assert.That(entry["lastBatchAt"], Is.Not.Null, source);
            Assert.That(entry["late"]!.GetValue<bool>(), Is.False, source);
        }
    }

    [Test]
    public async Task AResidentsCode_TurnsRedInTheBrowser_WhenTheCdcsListArrives_NamingTheList()
    {
        // The population register holds the resident (sample population.csv); loading it again is harmless.
        var (registered, registerOutput) = await UploadAsync("GA", "410000-GA-001", SampleData("population.csv"));
        Assert.That(registered, Is.Zero, registerOutput);
        await using var browser = await ServiceFixture.LaunchChromiumAsync();
        var options = ServiceFixture.PhoneContextOptions();
        options.BaseURL = service.BaseAddress.ToString();
        await using var context = await browser.NewContextAsync(options);
        context.SetDefaultTimeout(15_000);
        SetDefaultExpectTimeout(15_000);
        var page = await context.NewPageAsync();
        var console = await PageConsole.WatchAsync(page);
        var resident = new ResidentPage(page);
        try
        {
            await resident.OpenAsync();
            await resident.LogInAsync(ResidentPage.NewPhone());
            await resident.FillDeclarationAsync(Resident, ResidentId, "410100", "36.5");
            await resident.SubmitAsync();
            await Expect(resident.CodeFrame).ToHaveAttributeAsync("data-color", "green");

            // The CDC's list, dated from now: the resident is a close contact until a week from today.
            var list = Path.Combine(TestContext.CurrentContext.WorkDirectory, "close-contacts-now.csv");
            var now = DateTimeOffset.UtcNow;
            await File.WriteAllTextAsync(list,
                $"idNumber,name,notifiedAt,until,caseRef\n{ResidentId},{Resident},{now.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)},{now.AddDays(7):yyyy-MM-dd},HA-TEST-1\n");
            var (exit, output) = await UploadAsync("CDC", "410000-CDC-002", list);
            Assert.That(exit, Is.Zero, output);

            await page.ReloadAsync();
            await Expect(resident.CodeFrame).ToHaveAttributeAsync("data-color", "red");
            var reason = page.Locator("#reasons li[data-code='listed_close_contact']");
            await Expect(reason).ToContainTextAsync("密切接触者名单");
            await Expect(reason.Locator(".reason-source")).ToContainTextAsync("数据来源：密切接触者名单");
            await Screenshots.SaveAsync(page, "a code turned red by the CDC's list, the reason naming it", "red");
            Assert.That(console.Errors, Is.Empty, "no script or policy errors in the browser console");
        }
        catch
        {
            await Screenshots.SaveAsync(page, "the page when the test failed", "failed");
            await TestContext.Out.WriteLineAsync($"console:\n{string.Join('\n', console.Errors)}\n--- service ---\n{service.Output}");
            throw;
        }
    }

    /// <summary>Runs the real <c>healthcode batch upload</c> (the CLI's build output) against the service; its exit code and output.</summary>
    private async Task<(int Exit, string Output)> UploadAsync(string provider, string source, string file)
    {
        var (exit, output, errors) = await HealthCodeCli.RunAsync(
            TimeSpan.FromSeconds(90),
            "batch", "upload", "--url", service.BaseAddress.ToString().TrimEnd('/'), "--token", tokens[provider],
            "--key", DepartmentKey(provider, "private"), "--source", source, "--file", file, "--wait", "60");
        return (exit, output + errors);
    }

    private static string SampleData(string file) => Path.Combine(RepoRoot.Find(), "deploy", "sample-data", file);

    private static string DepartmentKey(string code, string part) => Path.Combine(RepoRoot.Find(), "keys-sample", "departments", code, $"{code}.{part}.jwk");
}
