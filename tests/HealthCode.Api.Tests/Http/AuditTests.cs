using System.Net;
using System.Text.Json.Nodes;
using HealthCode.Api.Infrastructure.Audit;
using HealthCode.Api.Tests.Support;

namespace HealthCode.Api.Tests.Http;

/// <summary>
/// Every scan and lookup is audited before it is answered, its answer naming its entry (scanId), in a hash chain
/// that detects a changed or deleted entry, at the end too (DESIGN §10).
/// </summary>
[TestFixture]
internal sealed class AuditTests
{
    [Test]
    public async Task VerifyAndLookup_AreAudited_WithoutPersonalData_AndEachAnswerNamesItsEntry()
    {
        using var factory = new HealthCodeFactory();
        var client = factory.CreateClient();
        var staff = await StaffClient.EnrolAsync(client);
        var resident = await new ResidentClient(client).LogInAsync();
        var codeId = (await ResidentClient.JsonAsync(await resident.DeclareAsync(Declarations.Clean(resident.Phone))))["codeId"]!.GetValue<string>();
        var qr = await (await resident.GetAsync("/api/v1/me/code/qr?format=text")).Content.ReadAsStringAsync();

        var valid = await staff.VerifyAsync(qr);
        var invalid = await staff.VerifyAsync("garbage");
        var lookup = await ResidentClient.JsonAsync(await staff.LookupAsync(Declarations.IdFor(resident.Phone), "张三艺"));

        var response = await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit");
        var text = await response.Content.ReadAsStringAsync();
        // The staff member's enrolment is an operator action, in the audit too (DESIGN §10): the scans follow it.
        var entries = new JsonArray([.. JsonNode.Parse(text)!["entries"]!.AsArray().Skip(1).Select(e => e!.DeepClone())]);
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
            // scanId (DESIGN §5) names the answer's own entry: the entry's scanId (an opaque string; on SQLite its seq).
            Assert.That(
                new[] { valid, invalid, lookup }.Select(answer => answer["scanId"]?.GetValue<string>()),
                Is.EqualTo(entries.Select(entry => entry!["scanId"]!.GetValue<string>())));
            Assert.That(entries.Select(entry => entry!["scanId"]!.GetValue<string>()), Is.Unique);
        });
        Assert.That(await ChainAsync(client), Is.True);
    }

    // What someone with write access to the database file might do behind the service's back, after a staff member's
    // enrolment (entry 1, an operator action) and three scans (2 to 4).
    [TestCase("UPDATE audit SET outcome = 'valid_green' WHERE seq = 2", 2, "entry 2 was changed", TestName = "AChangedEntry_IsDetected")]
    [TestCase("DELETE FROM audit WHERE seq = 2", 2, "entry 2 is missing", TestName = "ADeletedEntry_IsDetected")]
    [TestCase("DELETE FROM audit WHERE seq >= 2", 2, "entries 2 to 4 are missing from the end (the head is at 4)",
        TestName = "EntriesDeletedFromTheEnd_AreDetected")]
    // Whoever can write the database can move its head row too; the witness beside it still says 4.
    [TestCase("DELETE FROM audit WHERE seq = 4; UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit WHERE seq = 3)", 4,
        "entries 4 to 4 are missing from the end (the witness is at 4)", TestName = "EntriesDeletedFromTheEnd_WithTheHeadRowRewritten_AreDetectedByTheWitness")]
    public async Task Tampering_IsDetected(string sql, long brokenAtSeq, string problem)
    {
        using var factory = new HealthCodeFactory();
        var client = factory.CreateClient();
        await ScanAsync(client, 3);

        factory.ExecuteOnAudit(sql);

        var report = await ReportAsync(client);
        Assert.Multiple(() =>
        {
            Assert.That(report["valid"]!.GetValue<bool>(), Is.False, report.ToJsonString());
            Assert.That(report["brokenAtSeq"]!.GetValue<long>(), Is.EqualTo(brokenAtSeq));
            Assert.That(report["problem"]!.GetValue<string>(), Is.EqualTo(problem));
        });
    }

    [Test]
    public async Task AWitnessThatLags_AsACrashBeforeItsWriteLeavesIt_IsAccepted_ButARemovedOneIsNot()
    {
        using var factory = new HealthCodeFactory();
        var client = factory.CreateClient();
        await ScanAsync(client, 3);
        var first = (await EntriesAsync(client))[0];
        var witness = factory.AuditWitnessFile;

        await File.WriteAllTextAsync(witness, $$"""{"seq":{{first["seq"]}},"hash":"{{first["hash"]}}"}""");
        var lagging = await ReportAsync(client);
        File.Delete(witness);
        var removed = await ReportAsync(client);

        Assert.Multiple(() =>
        {
            Assert.That(lagging["valid"]!.GetValue<bool>(), Is.True, lagging.ToJsonString());
            Assert.That(lagging["witnessSeq"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(lagging["headSeq"]!.GetValue<long>(), Is.EqualTo(4));
            Assert.That(removed["valid"]!.GetValue<bool>(), Is.False, removed.ToJsonString());
            Assert.That(removed["problem"]!.GetValue<string>(), Does.Contain("witness"));
        });
    }

    [Category("SqliteOnly")]
    [Test]
    public async Task AScanTheAuditCannotStore_IsAnswered503AuditUnavailable_NotWithAVerdict()
    {
        using var factory = new HealthCodeFactory();
        var client = factory.CreateClient();
        var staff = await StaffClient.EnrolAsync(client);
        await staff.VerifyAsync("before");

        // A store that refuses every entry, as a full or failing disk would: the writer tries again, then gives up.
        factory.ExecuteOnAudit("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'the audit store refuses'); END;");
        var verify = await staff.PostAsync("/api/v1/verify", new { qr = "during", checkpointId = staff.CheckpointId });
        var lookup = await staff.LookupAsync(Declarations.ValidId, "张三艺");
        factory.ExecuteOnAudit("DROP TRIGGER refuse_audit");
        var after = await staff.VerifyAsync("after");

        var verifyProblem = await ResidentClient.JsonAsync(verify);
        var lookupProblem = await ResidentClient.JsonAsync(lookup);
        Assert.Multiple(() =>
        {
            Assert.That(verify.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), verifyProblem.ToJsonString());
            Assert.That(verifyProblem["code"]!.GetValue<string>(), Is.EqualTo("audit_unavailable"));
            Assert.That(verifyProblem.ContainsKey("valid"), Is.False, "no verdict without its audit entry");
            Assert.That(lookup.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), lookupProblem.ToJsonString());
            Assert.That(lookupProblem["code"]!.GetValue<string>(), Is.EqualTo("audit_unavailable"));
            // Entry 1 is the staff member's enrolment, 2 the scan before.
            Assert.That(after["scanId"]!.GetValue<string>(), Is.EqualTo("3"), "the refused scans took no seq");
        });
        Assert.That(await ChainAsync(client), Is.True);
    }

    [Category("SqliteOnly")]
    [Test]
    public async Task AScan_IsAnsweredAndAudited_WhileTheStoresWriteLockIsHeld()
    {
        using var factory = new HealthCodeFactory();
        var client = factory.CreateClient();
        var staff = await StaffClient.EnrolAsync(client);
        await staff.VerifyAsync("before");

        // What a department's batch does for each of its chunks: it holds the store's one write lock (BEGIN IMMEDIATE).
        // The audit has a file and a lock of its own, so a scan neither waits for the batch nor fails when it holds on.
        using (var store = factory.OpenStore())
        using (store.BeginTransaction(deferred: false))
        {
            var during = await staff.VerifyAsync("during");
            Assert.That(during["scanId"]!.GetValue<string>(), Is.EqualTo("3"), "entry 1 is the enrolment, 2 the scan before");
        }

        Assert.That(await ChainAsync(client), Is.True);
    }

    [TestCase("from=notadate", "from")]
    [TestCase("to=notadate", "to")]
    [TestCase("from=2026-13-01", "from")]
    [TestCase("to=2026-11-28T08:00:00+08:00", "to")] // the '+' left unescaped arrives as a space
    [TestCase("from=1&to=2", "from")]
    public async Task ListAudit_NamesAnInvalidFromOrTo(string query, string field)
    {
        using var factory = new HealthCodeFactory();

        var response = await StaffClient.Operator(factory.CreateClient(), HttpMethod.Get, $"/api/v1/admin/audit?{query}");

        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), text);
        var problem = JsonNode.Parse(text)!;
        var error = problem["errors"]!.AsArray().Single(e => e!["field"]!.GetValue<string>() == field)!;
        Assert.Multiple(() =>
        {
            Assert.That(problem["code"]!.GetValue<string>(), Is.EqualTo("validation_failed"));
            Assert.That(error["code"]!.GetValue<string>(), Is.EqualTo("datetime_invalid"));
            Assert.That(error["message"]!.GetValue<string>(), Does.Contain(field));
        });
    }

    [TestCase("from=2026-11-28T01:00:00Z&to=2026-11-28T13:00:00.5%2B08:00")]
    [TestCase("from=2026-11-28&to=2026-11-29")]
    [TestCase("to=0001-01-01T00:00:00Z")]
    [TestCase("from=&to=")]
    public async Task ListAudit_TakesIso8601Bounds(string query)
    {
        using var factory = new HealthCodeFactory();

        var response = await StaffClient.Operator(factory.CreateClient(), HttpMethod.Get, $"/api/v1/admin/audit?{query}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task ListAudit_PagesWithACursor_ForwardAndNewestFirst_AndSaysWhenNothingFollows()
    {
        using var factory = new HealthCodeFactory();
        var client = factory.CreateClient();
        await ScanAsync(client, 4); // the enrolment (1), then scans 2 to 5

        var (forward, forwardPages) = await LogPages.AllAsync(client, "/api/v1/admin/audit", "limit=2");
        var (backward, backwardPages) = await LogPages.AllAsync(client, "/api/v1/admin/audit", "order=desc&limit=2");
        var (window, _) = await LogPages.AllAsync(client, "/api/v1/admin/audit", "order=desc&limit=2&from=2026-11-28T01:00:00Z&to=2026-11-28T03:00:00Z");
        var newest = JsonNode.Parse(await (await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit?order=desc&limit=1")).Content.ReadAsStringAsync())!;
        var pastTheEnd = JsonNode.Parse(await (await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit?cursor=5")).Content.ReadAsStringAsync())!;
        var beforeTheStart = JsonNode.Parse(await (await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit?order=desc&cursor=1")).Content.ReadAsStringAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(forward.Seqs(), Is.EqualTo(new long[] { 1, 2, 3, 4, 5 }));
            Assert.That(forwardPages, Is.EqualTo(new[] { 2, 2, 1 }));
            Assert.That(backward.Seqs(), Is.EqualTo(new long[] { 5, 4, 3, 2, 1 }));
            Assert.That(backwardPages, Is.EqualTo(new[] { 2, 2, 1 }));
            Assert.That(window.Seqs(), Is.EqualTo(new long[] { 5, 4, 3, 2, 1 }), "from and to bound every page");
            Assert.That(newest["entries"]![0]!["seq"]!.GetValue<long>(), Is.EqualTo(5));
            Assert.That(newest["nextCursor"]!.GetValue<long>(), Is.EqualTo(5));
            Assert.That(newest["order"]!.GetValue<string>(), Is.EqualTo("desc"));
            Assert.That(newest["from"], Is.Null, "newest first has no default window");
            Assert.That(pastTheEnd["entries"]!.AsArray(), Is.Empty);
            Assert.That(pastTheEnd["nextCursor"], Is.Null);
            Assert.That(beforeTheStart["entries"]!.AsArray(), Is.Empty);
        });
    }

    [TestCase("cursor=-1", "cursor cursor_invalid")]
    [TestCase("cursor=next", "cursor cursor_invalid")]
    [TestCase("limit=0", "limit limit_out_of_range")]
    [TestCase("limit=1001", "limit limit_out_of_range")]
    [TestCase("limit=all", "limit limit_invalid")]
    [TestCase("order=newest", "order order_invalid")]
    [TestCase("cursor=x&limit=0&order=y&from=z", "cursor cursor_invalid", "limit limit_out_of_range", "order order_invalid", "from datetime_invalid")]
    public async Task ListAudit_NamesEachInvalidPagingValue(string query, params string[] errors)
    {
        using var factory = new HealthCodeFactory();

        var response = await StaffClient.Operator(factory.CreateClient(), HttpMethod.Get, $"/api/v1/admin/audit?{query}");

        Assert.That(Problems.Errors(await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed")), Is.EqualTo(errors));
    }

    [Test]
    public async Task Purge_RemovesEntriesPastRetention_AndTheChainStaysCheckable()
    {
        using var factory = new HealthCodeFactory();
        var client = factory.CreateClient();
        // Each ScanAsync enrols a staff member first (an operator action, audited), then scans.
        await ScanAsync(client, 2); // 1 to 3
        factory.Time.Advance(TimeSpan.FromDays(31));
        await ScanAsync(client, 2); // 4 to 6

        // The hourly purge may already have run on the advanced clock; the endpoint runs it now (7, audited once done).
        var purge = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/audit/purge");
        await ScanAsync(client, 1); // 8 and 9

        var start = HealthCodeFactory.Start;
        var old = JsonNode.Parse(await (await StaffClient.Operator(client, HttpMethod.Get,
            $"/api/v1/admin/audit?from={Uri.EscapeDataString(start.AddHours(-1).ToString("O"))}&to={Uri.EscapeDataString(start.AddHours(1).ToString("O"))}")).Content.ReadAsStringAsync())!;
        var report = await ReportAsync(client);
        Assert.Multiple(() =>
        {
            Assert.That(purge.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(old["entries"]!.AsArray(), Is.Empty);
            Assert.That(report["valid"]!.GetValue<bool>(), Is.True, report.ToJsonString());
            Assert.That(report["checked"]!.GetValue<long>(), Is.EqualTo(6));
            Assert.That(report["firstSeq"]!.GetValue<long>(), Is.EqualTo(4));
        });

        // An entry removed after the purge, at the new start of the chain, is still detected.
        factory.ExecuteOnAudit("DELETE FROM audit WHERE seq = 4");
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

        // Each scan was answered once its entry was committed: what a test then changes behind the service's
        // back is there to change. The witness follows the commits a moment later (it may lag); wait for it, bounded,
        // so that it holds the last scan. The chain is whole before it is tampered with.
        var report = await ReportAsync(client);
        for (var poll = 0; poll < 100 && report["witnessSeq"]?.GetValue<long>() != report["headSeq"]?.GetValue<long>(); poll++)
        {
            await Task.Delay(50);
            report = await ReportAsync(client);
        }

        Assert.Multiple(() =>
        {
            Assert.That(report["valid"]!.GetValue<bool>(), Is.True, report.ToJsonString());
            Assert.That(report["witnessSeq"]!.GetValue<long>(), Is.EqualTo(report["headSeq"]!.GetValue<long>()), report.ToJsonString());
        });
    }

    private static async Task<IReadOnlyList<JsonNode>> EntriesAsync(HttpClient client)
    {
        var response = await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return [.. JsonNode.Parse(text)!["entries"]!.AsArray().Select(e => e!)];
    }

    private static async Task<JsonNode> ReportAsync(HttpClient client) =>
        JsonNode.Parse(await (await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit/verify")).Content.ReadAsStringAsync())!;

    private static async Task<bool> ChainAsync(HttpClient client) => (await ReportAsync(client))["valid"]!.GetValue<bool>();
}
