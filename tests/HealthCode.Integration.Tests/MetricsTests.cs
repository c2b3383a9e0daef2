using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using HealthCode.Integration.Federation;

namespace HealthCode.Integration.Tests;

/// <summary>
/// <c>GET /metrics</c> of the real service, province and hub, read by the real <c>promtool check metrics</c> (Debian
/// <c>prometheus</c>), after the work that gives each family its samples: scans, a department's batch, a member and
/// fetches of the federation list. And <c>/readyz</c> of a province whose partner never answered.
/// </summary>
[TestFixture]
public sealed class MetricsTests
{
    private const string Promtool = "/usr/bin/promtool";

    [Test]
    public async Task ProvinceMetrics_PassPromtool_WithHttpRuntimeScanTrustListAndBatchFamilies_AndNoPersonalData()
    {
        await using var service = await AccountabilityClient.StartAsync(TestContext.CurrentContext.CancellationToken);
        using var client = new ServiceClient(service.BaseAddress);
        var contact = (Name: "林小雨", IdNumber: IdNumbers.NewValid());
        await service.UploadAsync(AccountabilityClient.CloseContact(contact.IdNumber, contact.Name), "metrics-" + Guid.NewGuid().ToString("N")[..8]);

        var phone = ResidentPage.NewPhone();
        var resident = (Name: "周明远", IdNumber: IdNumbers.NewValid());
        var token = await client.LogInResidentAsync(phone);
        var codeId = (await client.DeclareAsync(token, phone, resident.Name, resident.IdNumber))["codeId"]!.GetValue<string>();
        var staff = await client.EnrolStaffAsync("metrics-gate-1");
        var valid = await client.VerifyAsync(staff, await client.GetQrTextAsync(token));
        var invalid = await client.VerifyAsync(staff, "HC1:not-a-code");
        Assert.That(valid["valid"]!.GetValue<bool>(), Is.True, valid.ToJsonString());

        var (status, metrics) = await client.GetTextAsync("/metrics");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), metrics);
        var (exit, said) = await CheckWithPromtoolAsync(metrics);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, $"promtool check metrics:\n{said}");
            Assert.That(metrics, Does.Contain("# TYPE http_server_request_duration_seconds histogram"));
            Assert.That(Value(metrics, "http_server_request_duration_seconds_count", ("http_route", "/api/v1/verify"), ("http_response_status_code", "200")), Is.EqualTo(2));
            Assert.That(Value(metrics, "dotnet_gc_collections_total", ("gc_heap_generation", "gen0")), Is.GreaterThanOrEqualTo(0));
            Assert.That(Value(metrics, "dotnet_process_memory_working_set_bytes"), Is.GreaterThan(0));
            Assert.That(Value(metrics, "healthcode_scans_total", ("outcome", "valid_green")), Is.EqualTo(1));
            Assert.That(Value(metrics, "healthcode_scans_total", ("outcome", invalid["error"]!["code"]!.GetValue<string>())), Is.EqualTo(1));
            Assert.That(Value(metrics, "healthcode_trust_list_seq", ("issuer", "own")), Is.GreaterThanOrEqualTo(1));
            Assert.That(Value(metrics, "healthcode_trust_list_age_seconds", ("issuer", "own")), Is.GreaterThanOrEqualTo(0));
            Assert.That(Value(metrics, "healthcode_trust_list_expires_in_seconds", ("issuer", "own")), Is.GreaterThan(0));
            Assert.That(Value(metrics, "healthcode_batches_total", ("source", AccountabilityClient.Source), ("outcome", "applied")), Is.EqualTo(1));
            Assert.That(Value(metrics, "healthcode_batch_rows_applied_total", ("source", AccountabilityClient.Source)), Is.EqualTo(1));
            Assert.That(Value(metrics, "healthcode_catalog_entry_rows", ("code", AccountabilityClient.Source)), Is.EqualTo(1));
            foreach (var personal in new[] { contact.Name, contact.IdNumber, resident.Name, resident.IdNumber, phone, codeId })
            {
                Assert.That(metrics, Does.Not.Contain(personal), "a label carries personal data or a code id");
            }
        });
    }

    [Test]
    public async Task HubMetrics_PassPromtool_WithMembersAndItsFederationList()
    {
        var work = Directory.CreateTempSubdirectory("healthcode-metrics-hub-").FullName;
        await using var hub = ProvinceNode.Create(work, "000000", "国家枢纽", new Dictionary<string, string?> { ["HealthCode__Hub__Enabled"] = "true" }, keysFolder: "hub");
        try
        {
            await hub.StartAsync(TestContext.CurrentContext.CancellationToken);
            // Henan is never started: the hub only needs what it registers.
            await using var henan = ProvinceNode.Create(work, "410000", "河南省", new Dictionary<string, string?>());
            await hub.Client.OperatorAsync(HttpMethod.Post, "/api/v1/admin/hub/members", henan.Registration(), HttpStatusCode.OK);

            using var http = new HttpClient { BaseAddress = hub.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            using var first = await http.GetAsync("/.well-known/healthcode/federation");
            using var again = new HttpRequestMessage(HttpMethod.Get, "/.well-known/healthcode/federation");
            again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
            using var notModified = await http.SendAsync(again);
            Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));

            var (status, metrics) = await hub.Client.GetTextAsync("/metrics");

            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), metrics);
            var (exit, said) = await CheckWithPromtoolAsync(metrics);
            Assert.Multiple(() =>
            {
                Assert.That(exit, Is.Zero, $"promtool check metrics:\n{said}");
                Assert.That(metrics, Does.Contain("# TYPE http_server_request_duration_seconds histogram"));
                Assert.That(Value(metrics, "dotnet_process_memory_working_set_bytes"), Is.GreaterThan(0));
                Assert.That(Value(metrics, "healthcode_hub_members", ("status", "active")), Is.EqualTo(1));
                Assert.That(Value(metrics, "healthcode_hub_members", ("status", "suspended")), Is.Zero);
                Assert.That(Value(metrics, "healthcode_federation_list_seq"), Is.EqualTo(2), "signed at start, then again for the member");
                Assert.That(Value(metrics, "healthcode_federation_list_age_seconds"), Is.GreaterThanOrEqualTo(0));
                Assert.That(Value(metrics, "healthcode_federation_list_expires_in_seconds"), Is.GreaterThan(0));
                Assert.That(Value(metrics, "healthcode_hub_federation_list_served_total", ("answer", "list")), Is.EqualTo(1));
                Assert.That(Value(metrics, "healthcode_hub_federation_list_served_total", ("answer", "not_modified")), Is.EqualTo(1));
            });
        }
        finally
        {
            await hub.StopAsync();
            FederationTopology.DeleteDirectory(work);
        }
    }

    [Test]
    public async Task Readyz_IsDegraded_WithItsReason_WhenAPartnerNeverFetchedKeepsFailing()
    {
        await using var service = await ApiProcess.StartAsync(
            new ApiProcessOptions { Environment = new Dictionary<string, string?> { ["HealthCode__Federation__RefreshInterval"] = "00:00:01" } },
            TestContext.CurrentContext.CancellationToken);
        using var client = new ServiceClient(service.BaseAddress);
        var (readyBefore, _) = await client.GetTextAsync("/readyz");
        // Nothing listens on this port: every fetch of Zhejiang's list fails.
        var dead = new Uri($"http://127.0.0.1:{ApiProcess.FreeTcpPort()}/.well-known/healthcode/trust-list");
        var root = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoRoot.Find(), "keys-sample", "330000", "root.public.jwk")));
        await client.OperatorAsync(HttpMethod.Post, "/api/v1/admin/partners", new { iss = "330000", name = "浙江省", trustListUrl = dead.ToString(), rootKey = root }, HttpStatusCode.Created);

        JsonNode? ready = null;
        await Poll.UntilAsync(async () =>
        {
            ready = JsonNode.Parse((await client.GetTextAsync("/readyz")).Body);
            return (string?)ready!["checks"]!["trustLists"] == "degraded";
        }, TimeSpan.FromSeconds(60), "readyz's trustLists degraded by a partner that never answered");
        var (_, metrics) = await client.GetTextAsync("/metrics");

        Assert.Multiple(() =>
        {
            Assert.That(readyBefore, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((string?)ready!["status"], Is.EqualTo("degraded"));
            var reasons = ready!["details"]!["trustLists"]!["data"]!["reasons"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
            Assert.That(reasons, Has.One.StartsWith("partner 330000 never fetched: "));
            Assert.That((string?)ready["details"]!["trustLists"]!["description"], Does.Contain("partner 330000 never fetched"));
            Assert.That(Value(metrics, "healthcode_partner_up", ("issuer", "330000"), ("state", "failing")), Is.Zero);
            Assert.That(Value(metrics, "healthcode_partner_failures_in_a_row", ("issuer", "330000")), Is.GreaterThanOrEqualTo(3));
        });
    }

    /// <summary>Runs <c>promtool check metrics</c> on <paramref name="metrics"/>: its exit code and what it said.</summary>
    private static async Task<(int Exit, string Said)> CheckWithPromtoolAsync(string metrics)
    {
        if (!File.Exists(Promtool))
        {
            Assert.Fail($"{Promtool} is missing: install the Debian package prometheus (test.sh does).");
        }

        var (exit, output, errors) = await ProcessRun.UntilExitAsync(
            new ProcessStartInfo(Promtool, ["check", "metrics"]), TimeSpan.FromSeconds(30), "promtool check metrics", input: metrics);
        return (exit, output + errors);
    }

    /// <summary>The value of the one sample of <paramref name="name"/> that has every label given; fails when there is none.</summary>
    private static double Value(string metrics, string name, params (string Label, string Value)[] labels)
    {
        var line = metrics.Split('\n').FirstOrDefault(l =>
            (l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))
            && labels.All(p => l.Contains($"{p.Label}=\"{p.Value}\"", StringComparison.Ordinal)));
        Assert.That(line, Is.Not.Null, $"/metrics has no {name} with {string.Join(", ", labels)}:\n{metrics}");
        return double.Parse(line![(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
}
