using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using HealthCode.Api.Tests.Support;

namespace HealthCode.Api.Tests.Http;

/// <summary>
/// The data-use log over HTTP on a real Kestrel and a real SQLite file (DESIGN §10): residents read who used their data
/// and their family's, a page at a time, and nobody else's; a department reads how its data was used, counted, never a
/// person; auditors page the whole chain both ways and check it, and a changed or deleted entry is named.
/// </summary>
[TestFixture]
internal sealed class DataUseTests : ServiceFixture
{
    [Test]
    public async Task AResident_SeesWhoUsedTheirData_NewestFirst_NamingTheSourceTheBatchAndTheActor()
    {
        var (resident, id) = await GreenResidentAsync(client);
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts", "密切接触者名单");
        await cdc.UploadAndWaitAsync(CloseContacts(factory, id), "cc-use-1");
        var staff = await StaffClient.EnrolAsync(client, "gate-use-1");
        Assert.That((await staff.LookupAsync(id, "张三艺")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var page = await PageAsync(resident, "/api/v1/me/data-use");

        var entries = page["entries"]!.AsArray();
        Assert.That(entries, Has.Count.EqualTo(2), page.ToJsonString());
        var (lookup, scoring) = (entries[0]!, entries[1]!);
        Assert.Multiple(() =>
        {
            Assert.That(lookup["purpose"]!.GetValue<string>(), Is.EqualTo("lookup"));
            Assert.That(lookup["actor"]!["kind"]!.GetValue<string>(), Is.EqualTo("checkpoint"));
            Assert.That(lookup["actor"]!["zhCn"]!.GetValue<string>(), Is.EqualTo($"检查点 gate-use-1（工作人员 {staff.StaffId}）"));
            Assert.That(lookup["actor"]!["en"]!.GetValue<string>(), Is.EqualTo($"checkpoint gate-use-1 (staff {staff.StaffId})"));
            Assert.That(lookup["source"]!["code"]!.GetValue<string>(), Is.EqualTo(cdc.Source), "the lookup saw the colour the list made");
            Assert.That(scoring["purpose"]!.GetValue<string>(), Is.EqualTo("scoring"));
            Assert.That(scoring["actor"]!["kind"]!.GetValue<string>(), Is.EqualTo("system"));
            Assert.That(scoring["source"]!["code"]!.GetValue<string>(), Is.EqualTo(cdc.Source));
            Assert.That(scoring["source"]!["name"]!.GetValue<string>(), Is.EqualTo("密切接触者名单"));
            Assert.That(scoring["source"]!["batchId"]!.GetValue<string>(), Is.EqualTo("cc-use-1"));
            Assert.That(scoring["person"]!["relation"]!.GetValue<string>(), Is.EqualTo("holder"));
            Assert.That(scoring["person"]!["maskedName"]!.GetValue<string>(), Is.EqualTo("张*艺"));
            Assert.That(scoring["person"]!["idTail"]!.GetValue<string>(), Is.EqualTo(id[^4..]));
            Assert.That(lookup["seq"]!.GetValue<long>(), Is.GreaterThan(scoring["seq"]!.GetValue<long>()), "newest first");
            Assert.That(page["nextCursor"], Is.Null);
        });
    }

    [Test]
    public async Task AResidentPagesTheirUses_NewestFirst_WithACursor_AndPastTheEndIsAnEmptyPage()
    {
        var (resident, id) = await GreenResidentAsync(client);
        await LookUpAsync(client, id, times: 5);

        var seen = new List<long>();
        var pages = new List<int>();
        string? cursor = null;
        JsonObject page;
        do
        {
            page = await PageAsync(resident, $"/api/v1/me/data-use?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}");
            var entries = page["entries"]!.AsArray();
            pages.Add(entries.Count);
            seen.AddRange(entries.Select(e => e!["seq"]!.GetValue<long>()));
            cursor = page["nextCursor"]?.GetValue<long>().ToString(CultureInfo.InvariantCulture);
        }
        while (cursor is not null && pages.Count < 10);

        var pastTheEnd = await PageAsync(resident, $"/api/v1/me/data-use?cursor={seen[^1]}");
        var fromZero = await PageAsync(resident, "/api/v1/me/data-use?cursor=0");
        Assert.Multiple(() =>
        {
            Assert.That(pages, Is.EqualTo(new[] { 2, 2, 1 }));
            Assert.That(seen, Is.Ordered.Descending.And.Unique);
            Assert.That(pastTheEnd["entries"]!.AsArray(), Is.Empty);
            Assert.That(pastTheEnd["nextCursor"], Is.Null);
            Assert.That(fromZero["entries"]!.AsArray(), Is.Empty);
        });
    }

    [Test]
    public async Task APageThatEndsExactlyAtTheLastUse_SaysNothingFollows()
    {
        var (resident, id) = await GreenResidentAsync(client);
        await LookUpAsync(client, id, times: 4);

        var first = await PageAsync(resident, "/api/v1/me/data-use?limit=2");
        var second = await PageAsync(resident, $"/api/v1/me/data-use?limit=2&cursor={first["nextCursor"]}");

        Assert.Multiple(() =>
        {
            Assert.That(first["nextCursor"]!.GetValue<long>(), Is.EqualTo(first["entries"]![1]!["seq"]!.GetValue<long>()), "the cursor is the page's last seq");
            Assert.That(second["entries"]!.AsArray(), Has.Count.EqualTo(2));
            Assert.That(second["nextCursor"], Is.Null, "no empty page to fetch to learn that it was the last");
        });
    }

    [TestCase("limit=0", "limit limit_out_of_range")]
    [TestCase("limit=101", "limit limit_out_of_range")]
    [TestCase("limit=ten", "limit limit_invalid")]
    [TestCase("cursor=-1", "cursor cursor_invalid")]
    [TestCase("cursor=1e3", "cursor cursor_invalid")]
    [TestCase("cursor=x&limit=0", "cursor cursor_invalid", "limit limit_out_of_range")]
    public async Task AResidentsPagingOutOfBounds_IsA400NamingEachField(string query, params string[] errors)
    {
        var (resident, _) = await GreenResidentAsync(client);

        var response = await resident.GetAsync($"/api/v1/me/data-use?{query}");

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(Problems.Errors(problem), Is.EqualTo(errors));
    }

    [TestCase("limit=1")]
    [TestCase("limit=100")]
    [TestCase("limit=&cursor=")]
    public async Task AResidentsLimit_From1To100_IsTaken(string query)
    {
        var (resident, _) = await GreenResidentAsync(client);

        var response = await resident.GetAsync($"/api/v1/me/data-use?{query}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task AResident_CannotReadAnotherAccountsPersons_TheirHolderOrTheirFamily()
    {
        var (owner, ownerId) = await GreenResidentAsync(client);
        var child = await AddDependantAsync(owner, "李小宝", Declarations.IdFor(owner.Phone, member: 1));
        await LookUpAsync(client, ownerId, times: 1);
        var ownerPerson = (await ResidentClient.JsonAsync(await owner.GetAsync("/api/v1/me/code")))["personId"]!.GetValue<string>();
        var (stranger, _) = await GreenResidentAsync(client);

        foreach (var personId in new[] { ownerPerson, child, "p_nobody" })
        {
            var response = await stranger.GetAsync($"/api/v1/me/data-use?personId={personId}");
            var problem = await Problems.AssertAsync(response, HttpStatusCode.NotFound, "person_not_found");
            Assert.That(problem.ToJsonString(), Does.Not.Contain("lookup"), personId);
        }

        Assert.That((await PageAsync(stranger, "/api/v1/me/data-use?personId=all"))["entries"]!.AsArray(), Is.Empty, "all is the stranger's own family only");
        Assert.That((await new ResidentClient(client).GetAsync("/api/v1/me/data-use")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task AHolder_SeesAFamilyMembersUses_OrTheWholeFamilysTogether()
    {
        var (holder, holderId) = await GreenResidentAsync(client);
        var childId = Declarations.IdFor(holder.Phone, member: 2);
        var child = await AddDependantAsync(holder, "李小宝", childId);
        var declared = await holder.SendAsync(HttpMethod.Post, $"/api/v1/declarations?personId={child}",
            Declarations.Clean(holder.Phone).With("name", "李小宝").With("idNumber", childId));
        Assert.That(declared.StatusCode, Is.EqualTo(HttpStatusCode.Created), await declared.Content.ReadAsStringAsync());
        var staff = await StaffClient.EnrolAsync(client, "gate-family");
        Assert.That((await staff.LookupAsync(holderId, "张三艺")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await staff.LookupAsync(childId, "李小宝")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var own = (await PageAsync(holder, "/api/v1/me/data-use"))["entries"]!.AsArray();
        var childs = (await PageAsync(holder, $"/api/v1/me/data-use?personId={child}"))["entries"]!.AsArray();
        var all = (await PageAsync(holder, "/api/v1/me/data-use?personId=all"))["entries"]!.AsArray();

        static string Who(JsonNode? e) => $"{e!["person"]!["relation"]} {e["person"]!["maskedName"]}";
        Assert.Multiple(() =>
        {
            Assert.That(own.Select(Who), Is.EqualTo(new[] { "holder 张*艺" }));
            Assert.That(childs.Select(Who), Is.EqualTo(new[] { "dependant 李*宝" }));
            Assert.That(childs[0]!["person"]!["personId"]!.GetValue<string>(), Is.EqualTo(child));
            Assert.That(all.Select(Who), Is.EqualTo(new[] { "dependant 李*宝", "holder 张*艺" }), "both, newest first");
        });
    }

    [Test]
    public async Task ADepartment_SeesHowItsDataWasUsed_CountedByDayAndPurpose_NeverAPerson()
    {
        var (first, firstId) = await GreenResidentAsync(client);
        var (_, secondId) = await GreenResidentAsync(client);
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts", "密切接触者名单");
        await cdc.UploadAndWaitAsync(CloseContacts(factory, firstId, secondId), "cc-usage-1");
        var staff = await StaffClient.EnrolAsync(client, "gate-usage");
        await staff.LookupAsync(firstId, "张三艺");
        await staff.LookupAsync(firstId, "张三艺");
        var firstPerson = (await ResidentClient.JsonAsync(await first.GetAsync("/api/v1/me/code")))["personId"]!.GetValue<string>();

        var response = await Operator(HttpMethod.Get, $"/api/v1/sources/{cdc.Source}/usage", cdc.Token);

        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        var usage = JsonNode.Parse(text)!;
        var today = factory.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        string Day(JsonNode? d) => $"{d!["day"]} {d["purpose"]} {d["uses"]} {d["persons"]}";
        Assert.Multiple(() =>
        {
            Assert.That(usage["source"]!.GetValue<string>(), Is.EqualTo(cdc.Source));
            Assert.That(usage["name"]!.GetValue<string>(), Is.EqualTo("密切接触者名单"));
            Assert.That(usage["days"]!.AsArray().Select(Day), Is.EqualTo(new[] { $"{today} lookup 2 1", $"{today} scoring 2 2" }));
            Assert.That(usage["totals"]!["scoring"]!.GetValue<long>(), Is.EqualTo(2));
            Assert.That(usage["totals"]!["lookup"]!.GetValue<long>(), Is.EqualTo(2));
            Assert.That(text, Does.Not.Contain(firstPerson).And.Not.Contain(firstId).And.Not.Contain(secondId).And.Not.Contain("张"), "never a person");
        });
    }

    [Test]
    public async Task ASourcesUsage_IsForItsDepartment_AuditorsAndAdmins_Only()
    {
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts");
        using var other = await SharingClient.CreateAsync(factory, client, "close_contacts");
        var auditor = await SharingClient.OperatorTokenAsync(client, "auditor");
        var health = await SharingClient.OperatorTokenAsync(client, "health");
        var (resident, _) = await GreenResidentAsync(client);
        var path = $"/api/v1/sources/{cdc.Source}/usage";

        var byOther = await Operator(HttpMethod.Get, path, other.Token);
        var byHealth = await Operator(HttpMethod.Get, path, health);

        Assert.Multiple(async () =>
        {
            Assert.That((await Operator(HttpMethod.Get, path, auditor)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await Operator(HttpMethod.Get, path, HealthCodeFactory.OperatorKey)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the bootstrap key is an admin");
            Assert.That((await resident.GetAsync(path)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a resident's session is not an operator's");
            Assert.That((await client.GetAsync(path)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
        var problem = await Problems.AssertAsync(byOther, HttpStatusCode.Forbidden, "role_required");
        Assert.That(problem["roles"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EqualTo(new[] { $"department:{cdc.Department}", "auditor", "admin" }));
        await Problems.AssertAsync(byHealth, HttpStatusCode.Forbidden, "role_required");
        await Problems.AssertAsync(await Operator(HttpMethod.Get, "/api/v1/sources/410000-NOPE-001/usage", auditor), HttpStatusCode.NotFound, "source_not_found");
        var badFrom = await Problems.AssertAsync(await Operator(HttpMethod.Get, $"{path}?from=yesterday", cdc.Token), HttpStatusCode.BadRequest, "validation_failed");
        var backwards = await Problems.AssertAsync(await Operator(HttpMethod.Get, $"{path}?from=2026-11-28&to=2026-11-01", cdc.Token), HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(Problems.Errors(badFrom), Is.EqualTo(new[] { "from datetime_invalid" }));
        Assert.That(Problems.Errors(backwards), Is.EqualTo(new[] { "from range_invalid" }));
    }

    [Test]
    public async Task AnAuditor_PagesTheWholeLog_ForwardAndNewestFirst_AndTheChainVerifies()
    {
        // A service of its own: the test counts every entry of the log.
        using var service = new HealthCodeFactory();
        var http = service.CreateClient();
        var (_, id) = await GreenResidentAsync(http);
        await LookUpAsync(http, id, times: 5);
        var auditor = await SharingClient.OperatorTokenAsync(http, "auditor");

        var (forward, forwardPages) = await LogPages.AllAsync(http, "/api/v1/admin/data-use", "order=asc&limit=2", auditor);
        var (backward, _) = await LogPages.AllAsync(http, "/api/v1/admin/data-use", "order=desc&limit=2", auditor);
        var report = await ResidentClient.JsonAsync(await StaffClient.Operator(http, HttpMethod.Get, "/api/v1/admin/data-use/verify", null, auditor));
        var first = await ResidentClient.JsonAsync(await StaffClient.Operator(http, HttpMethod.Get, "/api/v1/admin/data-use", null, auditor));
        var later = await ResidentClient.JsonAsync(await StaffClient.Operator(http, HttpMethod.Get,
            $"/api/v1/admin/data-use?from={Uri.EscapeDataString(service.Time.GetUtcNow().AddMinutes(1).ToString("O"))}", null, auditor));

        Assert.Multiple(() =>
        {
            Assert.That(forward.Seqs(), Is.EqualTo(new long[] { 1, 2, 3, 4, 5 }));
            Assert.That(forwardPages, Is.EqualTo(new[] { 2, 2, 1 }));
            Assert.That(backward.Seqs(), Is.EqualTo(new long[] { 5, 4, 3, 2, 1 }));
            Assert.That(forward[0]["purpose"]!.GetValue<string>(), Is.EqualTo("lookup"));
            Assert.That(forward[0]["actor"]!.GetValue<string>(), Does.StartWith("checkpoint "));
            Assert.That(forward[1]["prevHash"]!.GetValue<string>(), Is.EqualTo(forward[0]["hash"]!.GetValue<string>()));
            Assert.That(first["entries"]!.AsArray(), Has.Count.EqualTo(5), "without paging values: the last 24 hours, oldest first");
            Assert.That(first["order"]!.GetValue<string>(), Is.EqualTo("asc"));
            Assert.That(first["nextCursor"], Is.Null);
            Assert.That(later["entries"]!.AsArray(), Is.Empty);
            Assert.That(report["valid"]!.GetValue<bool>(), Is.True, report.ToJsonString());
            Assert.That(report["checked"]!.GetValue<long>(), Is.EqualTo(5));
            Assert.That(report["headSeq"]!.GetValue<long>(), Is.EqualTo(5));
        });
    }

    [Test]
    public async Task AnAuditor_PagingPastEitherEndOfTheLog_GetsAnEmptyPage_AndFromAndToBoundEveryPage()
    {
        // A service of its own: the test names every entry of the log. Two lookups (1, 2), an hour, three more (3 to 5).
        using var service = new HealthCodeFactory();
        var http = service.CreateClient();
        var (_, id) = await GreenResidentAsync(http);
        await LookUpAsync(http, id, times: 2);
        service.Time.Advance(TimeSpan.FromHours(1));
        var split = Uri.EscapeDataString(service.Time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        await LookUpAsync(http, id, times: 3);
        var auditor = await SharingClient.OperatorTokenAsync(http, "auditor");
        async Task<JsonNode> PageAsync(string query) =>
            await ResidentClient.JsonAsync(await StaffClient.Operator(http, HttpMethod.Get, $"/api/v1/admin/data-use?{query}", null, auditor));

        var (later, laterPages) = await LogPages.AllAsync(http, "/api/v1/admin/data-use", $"order=desc&limit=2&from={split}", auditor);
        var (earlier, earlierPages) = await LogPages.AllAsync(http, "/api/v1/admin/data-use", $"order=asc&limit=1&to={split}", auditor);
        var afterTheLast = await PageAsync("cursor=5");
        var farPastTheEnd = await PageAsync("cursor=9000000000&limit=10");
        var beforeTheFirst = await PageAsync("order=desc&cursor=1");
        var cursorInTheWindow = await PageAsync($"order=desc&to={split}&cursor=3");

        Assert.Multiple(() =>
        {
            Assert.That(later.Seqs(), Is.EqualTo(new long[] { 5, 4, 3 }), "newest first, from the hour on");
            Assert.That(laterPages, Is.EqualTo(new[] { 2, 1 }));
            Assert.That(earlier.Seqs(), Is.EqualTo(new long[] { 1, 2 }), "oldest first, before the hour");
            Assert.That(earlierPages, Is.EqualTo(new[] { 1, 1 }));
            foreach (var (name, page) in new[] { ("after the last", afterTheLast), ("far past the end", farPastTheEnd), ("before the first", beforeTheFirst) })
            {
                Assert.That(page["entries"]!.AsArray(), Is.Empty, name);
                Assert.That(page["nextCursor"], Is.Null, name);
            }

            Assert.That(cursorInTheWindow["entries"]!.AsArray().Select(e => e!).Seqs(), Is.EqualTo(new long[] { 2, 1 }), "the cursor and the window together");
        });
    }

    [Test]
    public async Task AHolder_PagesTheWholeFamilysUses_NewestFirst_AndNoOtherFamilysUseAppears()
    {
        var (holder, holderId) = await GreenResidentAsync(client);
        var childId = Declarations.IdFor(holder.Phone, member: 3);
        var child = await AddDependantAsync(holder, "李小宝", childId);
        var declared = await holder.SendAsync(HttpMethod.Post, $"/api/v1/declarations?personId={child}",
            Declarations.Clean(holder.Phone).With("name", "李小宝").With("idNumber", childId));
        Assert.That(declared.StatusCode, Is.EqualTo(HttpStatusCode.Created), await declared.Content.ReadAsStringAsync());
        var (_, neighbourId) = await GreenResidentAsync(client);
        var staff = await StaffClient.EnrolAsync(client, "gate-family-pages");
        foreach (var (idNumber, name) in new[] { (holderId, "张三艺"), (neighbourId, "张三艺"), (childId, "李小宝"), (holderId, "张三艺"), (neighbourId, "张三艺"), (childId, "李小宝") })
        {
            Assert.That((await staff.LookupAsync(idNumber, name)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var entries = new List<JsonNode>();
        var pages = new List<int>();
        var path = "/api/v1/me/data-use?personId=all&limit=3";
        while (pages.Count < 10)
        {
            var page = await PageAsync(holder, path);
            entries.AddRange(page["entries"]!.AsArray().Select(e => e!));
            pages.Add(page["entries"]!.AsArray().Count);
            if (page["nextCursor"] is not { } cursor)
            {
                break;
            }

            path = $"/api/v1/me/data-use?personId=all&limit=3&cursor={cursor}";
        }

        Assert.Multiple(() =>
        {
            Assert.That(pages, Is.EqualTo(new[] { 3, 1 }), "four uses of the family, the neighbour's two left out");
            Assert.That(entries.Seqs(), Is.Ordered.Descending.And.Unique);
            Assert.That(entries.Select(e => e["person"]!["relation"]!.GetValue<string>()), Is.EqualTo(new[] { "dependant", "holder", "dependant", "holder" }));
        });
    }

    [TestCase("order=newest", "order order_invalid")]
    [TestCase("limit=1001", "limit limit_out_of_range")]
    [TestCase("limit=0", "limit limit_out_of_range")]
    [TestCase("cursor=abc", "cursor cursor_invalid")]
    [TestCase("from=notadate", "from datetime_invalid")]
    [TestCase("from=2026-11-28&to=2026-11-27", "from range_invalid")]
    [TestCase("order=up&limit=x&to=y", "limit limit_invalid", "order order_invalid", "to datetime_invalid")]
    public async Task TheAuditorsPagingOutOfBounds_IsA400NamingEachField(string query, params string[] errors)
    {
        var response = await Operator(HttpMethod.Get, $"/api/v1/admin/data-use?{query}", HealthCodeFactory.OperatorKey);

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(Problems.Errors(problem), Is.EqualTo(errors));
    }

    [Test]
    public async Task TheWholeLog_IsForAuditorsAndAdmins_Only()
    {
        var auditor = await SharingClient.OperatorTokenAsync(client, "auditor");
        var health = await SharingClient.OperatorTokenAsync(client, "health");
        var (resident, _) = await GreenResidentAsync(client);

        foreach (var path in new[] { "/api/v1/admin/data-use", "/api/v1/admin/data-use/verify" })
        {
            Assert.That((await Operator(HttpMethod.Get, path, auditor)).StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
            Assert.That((await Operator(HttpMethod.Get, path, HealthCodeFactory.OperatorKey)).StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
            var problem = await Problems.AssertAsync(await Operator(HttpMethod.Get, path, health), HttpStatusCode.Forbidden, "role_required");
            Assert.That(problem["roles"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EquivalentTo(new[] { "auditor", "admin" }), path);
            Assert.That((await resident.GetAsync(path)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), path);
        }
    }

    // What someone with write access to the database file might do behind the service's back, after three lookups (1 to 3).
    [TestCase("UPDATE data_use SET actor = 'system' WHERE seq = 2", 2, "entry 2 was changed", TestName = "AChangedUse_IsDetected")]
    [TestCase("UPDATE data_use SET person_id = 'p_other', hash = 'x' WHERE seq = 3", 3, "entry 3 was changed", TestName = "AUseMovedToAnotherPerson_IsDetected")]
    [TestCase("DELETE FROM data_use WHERE seq = 2", 2, "entry 2 is missing", TestName = "ADeletedUse_IsDetected")]
    [TestCase("DELETE FROM data_use WHERE seq >= 2", 2, "the log ends at 1 but its head is at 3: entries were removed from its end",
        TestName = "UsesDeletedFromTheEnd_AreDetected")]
    [TestCase("DELETE FROM data_use WHERE seq >= 2; UPDATE data_use_head SET seq = 1, hash = (SELECT hash FROM data_use WHERE seq = 1)", 2,
        "entries 2 to 3 are missing from the end (the witness is at 3)", TestName = "UsesDeletedFromTheEnd_WithTheHeadRewrittenToMatch_AreDetectedByTheWitness")]
    public async Task TamperingWithTheDataUseLog_IsDetected(string sql, long brokenAtSeq, string problem)
    {
        using var service = new HealthCodeFactory();
        var http = service.CreateClient();
        var (_, id) = await GreenResidentAsync(http);
        await LookUpAsync(http, id, times: 3);
        await WitnessedAsync(http, 3);

        service.Execute(sql);

        var report = await ResidentClient.JsonAsync(await StaffClient.Operator(http, HttpMethod.Get, "/api/v1/admin/data-use/verify"));
        Assert.Multiple(() =>
        {
            Assert.That(report["valid"]!.GetValue<bool>(), Is.False, report.ToJsonString());
            Assert.That(report["brokenAtSeq"]!.GetValue<long>(), Is.EqualTo(brokenAtSeq));
            Assert.That(report["problem"]!.GetValue<string>(), Is.EqualTo(problem));
        });
    }

    [Test]
    public async Task ALogWhoseWitnessWasRemoved_IsNotValid()
    {
        using var service = new HealthCodeFactory();
        var http = service.CreateClient();
        var (_, id) = await GreenResidentAsync(http);
        await LookUpAsync(http, id, times: 2);
        await WitnessedAsync(http, 2);

        File.Delete(Path.Combine(Path.GetDirectoryName(service.DatabaseFile)!, "data-use-head.json"));

        var report = await ResidentClient.JsonAsync(await StaffClient.Operator(http, HttpMethod.Get, "/api/v1/admin/data-use/verify"));
        Assert.Multiple(() =>
        {
            Assert.That(report["valid"]!.GetValue<bool>(), Is.False, report.ToJsonString());
            Assert.That(report["problem"]!.GetValue<string>(), Is.EqualTo("the log's witness is missing"));
        });
    }

    [Test]
    public async Task AWitnessRemovedWithTheLogsEndRewritten_IsNotWrittenAgainFromTheRewrittenHead()
    {
        using var service = new HealthCodeFactory();
        var http = service.CreateClient();
        var (_, id) = await GreenResidentAsync(http);
        await LookUpAsync(http, id, times: 3);
        await WitnessedAsync(http, 3);

        service.Execute("DELETE FROM data_use WHERE seq >= 2; UPDATE data_use_head SET seq = 1, hash = (SELECT hash FROM data_use WHERE seq = 1)");
        File.Delete(Path.Combine(Path.GetDirectoryName(service.DatabaseFile)!, "data-use-head.json"));
        // Past two copies of the head (one a second), and a use that moves the rewritten log on.
        await Task.Delay(2500);
        await LookUpAsync(http, id, times: 1);
        await Task.Delay(2500);

        var report = await ResidentClient.JsonAsync(await StaffClient.Operator(http, HttpMethod.Get, "/api/v1/admin/data-use/verify"));
        Assert.Multiple(() =>
        {
            Assert.That(report["valid"]!.GetValue<bool>(), Is.False, report.ToJsonString());
            Assert.That(report["problem"]!.GetValue<string>(), Is.EqualTo("the log's witness is missing"), "the rewritten end is not witnessed");
        });
    }

    /// <summary>Waits (up to 10 s) until the log is valid and its witness, copied from the head every second, is at <paramref name="seq"/>.</summary>
    private static async Task WitnessedAsync(HttpClient http, long seq)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var report = await ResidentClient.JsonAsync(await StaffClient.Operator(http, HttpMethod.Get, "/api/v1/admin/data-use/verify"));
            Assert.That(report["valid"]!.GetValue<bool>(), Is.True, report.ToJsonString());
            if (report["witnessSeq"]?.GetValue<long>() == seq)
            {
                return;
            }

            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"the witness did not reach {seq}: {report.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    /// <summary>A resident with a green code of their own (no shared facts yet): the client and their ID number.</summary>
    private static async Task<(ResidentClient Resident, string IdNumber)> GreenResidentAsync(HttpClient http)
    {
        var resident = await new ResidentClient(http).LogInAsync();
        var declared = await resident.DeclareAsync(Declarations.Clean(resident.Phone));
        Assert.That(declared.StatusCode, Is.EqualTo(HttpStatusCode.Created), await declared.Content.ReadAsStringAsync());
        return (resident, Declarations.IdFor(resident.Phone));
    }

    /// <summary>A checkpoint looks the resident up <paramref name="times"/> times: one use each (the code has no shared source).</summary>
    private static async Task LookUpAsync(HttpClient http, string idNumber, int times)
    {
        var staff = await StaffClient.EnrolAsync(http, "gate-paging");
        for (var i = 0; i < times; i++)
        {
            var response = await staff.LookupAsync(idNumber, "张三艺");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        }
    }

    private static async Task<string> AddDependantAsync(ResidentClient holder, string name, string idNumber)
    {
        var added = await holder.SendAsync(HttpMethod.Post, "/api/v1/me/dependants", new { name, idNumber });
        Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.Created), await added.Content.ReadAsStringAsync());
        return (await ResidentClient.JsonAsync(added))["personId"]!.GetValue<string>();
    }

    /// <summary>A close-contact list naming these residents (张三艺), notified an hour ago, until ten days from today.</summary>
    private static string CloseContacts(HealthCodeFactory service, params string[] idNumbers)
    {
        var now = service.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        var until = now.AddDays(10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var notified = now.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
        return "idNumber,name,notifiedAt,until,caseRef\n" + string.Concat(idNumbers.Select(id => $"{id},张三艺,{notified},{until},HA-USE\n"));
    }

    private static async Task<JsonObject> PageAsync(ResidentClient resident, string path)
    {
        var response = await resident.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True, "never kept by a cache on the way");
        return JsonNode.Parse(text)!.AsObject();
    }

    private Task<HttpResponseMessage> Operator(HttpMethod method, string path, string token) => StaffClient.Operator(client, method, path, null, token);
}
