using System.Net;
using System.Text.Json.Nodes;
using HealthCode.Api.Tests.Support;
using Microsoft.Data.Sqlite;

namespace HealthCode.Api.Tests.Http;

/// <summary>Every scan and lookup is audited in a hash chain that detects a changed or deleted entry.</summary>
[TestFixture]
internal sealed class AuditTests
{
    [Test]
    public async Task VerifyAndLookup_AreAudited_WithoutPersonalData()
    {
        using var factory = new HealthCodeFactory();
        var client = factory.CreateClient();
        var staff = await StaffClient.EnrolAsync(client);
        var resident = await new ResidentClient(client).LogInAsync();
        var codeId = (await ResidentClient.JsonAsync(await resident.DeclareAsync(Declarations.Clean(resident.Phone))))["codeId"]!.GetValue<string>();
        var qr = await (await resident.GetAsync("/api/v1/me/code/qr?format=text")).Content.ReadAsStringAsync();

        await staff.VerifyAsync(qr);
        await staff.VerifyAsync("garbage");
        await staff.LookupAsync(Declarations.IdFor(resident.Phone), "张三艺");

        var response = await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit");
        var text = await response.Content.ReadAsStringAsync();
        var entries = JsonNode.Parse(text)!["entries"]!.AsArray();
        Assert.That(entries, Has.Count.EqualTo(3), text);
        Assert.Multiple(() =>
        {
            Assert.That(entries[0]!["action"]!.GetValue<string>(), Is.EqualTo("verify"));
            Assert.That(entries[0]!["outcome"]!.GetValue<string>(), Is.EqualTo("valid_green"));
            Assert.That(entries[0]!["issuer"]!.GetValue<string>(), Is.EqualTo("410000"));
            Assert.That(entries[0]!["codeId"]!.GetValue<string>(), Is.EqualTo(codeId));
            Assert.That(entries[0]!["checkpointId"]!.GetValue<string>(), Is.EqualTo(staff.CheckpointId));
            Assert.That(entries[0]!["staffId"]!.GetValue<string>(), Is.EqualTo(staff.StaffId));
            Assert.That(entries[1]!["outcome"]!.GetValue<string>(), Is.EqualTo("unsupported_format"));
            Assert.That(entries[2]!["action"]!.GetValue<string>(), Is.EqualTo("lookup"));
            Assert.That(entries[2]!["outcome"]!.GetValue<string>(), Is.EqualTo("found_green"));
            Assert.That(text, Does.Not.Contain(Declarations.IdFor(resident.Phone)).And.Not.Contain("张三艺").And.Not.Contain(resident.Phone));
        });
        Assert.That(await ChainAsync(client), Is.True);
    }

    [Test]
    public async Task AChangedEntry_IsDetected()
    {
        using var factory = new HealthCodeFactory();
        var client = factory.CreateClient();
        await ScanAsync(client, 3);

        Execute(factory, "UPDATE audit SET outcome = 'valid_green' WHERE seq = 2");

        var report = await ReportAsync(client);
        Assert.That(report["valid"]!.GetValue<bool>(), Is.False);
        Assert.That(report["brokenAtSeq"]!.GetValue<long>(), Is.EqualTo(2));
    }

    [Test]
    public async Task ADeletedEntry_IsDetected()
    {
        using var factory = new HealthCodeFactory();
        var client = factory.CreateClient();
        await ScanAsync(client, 3);

        Execute(factory, "DELETE FROM audit WHERE seq = 2");

        var report = await ReportAsync(client);
        Assert.That(report["valid"]!.GetValue<bool>(), Is.False);
        Assert.That(report["brokenAtSeq"]!.GetValue<long>(), Is.EqualTo(2));
    }

    [Test]
    public async Task Purge_RemovesEntriesPastRetention_AndTheChainStaysCheckable()
    {
        using var factory = new HealthCodeFactory();
        var client = factory.CreateClient();
        await ScanAsync(client, 2);
        factory.Time.Advance(TimeSpan.FromDays(31));
        await ScanAsync(client, 2);

        // The hourly purge may already have run on the advanced clock; the endpoint runs it now.
        var purge = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/audit/purge");
        await ScanAsync(client, 1);

        var start = HealthCodeFactory.Start;
        var old = JsonNode.Parse(await (await StaffClient.Operator(client, HttpMethod.Get,
            $"/api/v1/admin/audit?from={Uri.EscapeDataString(start.AddHours(-1).ToString("O"))}&to={Uri.EscapeDataString(start.AddHours(1).ToString("O"))}")).Content.ReadAsStringAsync())!;
        var report = await ReportAsync(client);
        Assert.Multiple(() =>
        {
            Assert.That(purge.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(old["entries"]!.AsArray(), Is.Empty);
            Assert.That(report["valid"]!.GetValue<bool>(), Is.True, report.ToJsonString());
            Assert.That(report["checked"]!.GetValue<long>(), Is.EqualTo(3));
            Assert.That(report["firstSeq"]!.GetValue<long>(), Is.EqualTo(3));
        });

        // An entry removed after the purge, at the new start of the chain, is still detected.
        Execute(factory, "DELETE FROM audit WHERE seq = 3");
        Assert.That((await ReportAsync(client))["valid"]!.GetValue<bool>(), Is.False);
    }

    [Test]
    public async Task AuditEndpoints_AreForOperatorsOnly()
    {
        using var factory = new HealthCodeFactory();

        var response = await factory.CreateClient().GetAsync("/api/v1/admin/audit/verify");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    private static async Task ScanAsync(HttpClient client, int count)
    {
        var staff = await StaffClient.EnrolAsync(client);
        for (var i = 0; i < count; i++)
        {
            await staff.VerifyAsync($"scan-{i}");
        }

        // Scans queue their entries. The check flushes them into the store, so that what a test then
        // changes behind the service's back is there to change, and shows the chain whole before that.
        Assert.That(await ChainAsync(client), Is.True, "the chain before it is tampered with");
    }

    private static async Task<JsonNode> ReportAsync(HttpClient client) =>
        JsonNode.Parse(await (await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit/verify")).Content.ReadAsStringAsync())!;

    private static async Task<bool> ChainAsync(HttpClient client) => (await ReportAsync(client))["valid"]!.GetValue<bool>();

    /// <summary>What someone with write access to the database file might do behind the service's back.</summary>
    private static void Execute(HealthCodeFactory factory, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={factory.DatabaseFile};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
