using System.Net;
using System.Text.Json.Nodes;
using HealthCode.Api.Tests.Support;
using static HealthCode.Api.Tests.Support.AccountabilityFixtures;

namespace HealthCode.Api.Tests.Http;

/// <summary>
/// Disputes over HTTP (DESIGN §10, GB/T 38963 纠错) on a real Kestrel and a real SQLite file: a resident disputes a
/// fact a reason shows, the providing department sees it in its queue and retracts the row, the code turns back and the
/// dispute reads retracted; and every abuse is refused: a fact the person does not have, another person's disputes,
/// another department's queue or data.
/// </summary>
[TestFixture]
internal sealed class DisputeTests : ServiceFixture
{
    [Test]
    public async Task ADisputeResolvedByRetraction_TurnsTheCodeBackGreen_AndTheResidentSeesItRetracted()
    {
        var (resident, id) = await GreenResidentAsync(client);
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts", "密切接触者名单");
        await cdc.UploadAndWaitAsync(CloseContact(factory.Time, id), "cc-1");
        var red = await CodeAsync(resident);
        var source = red["reasons"]!.AsArray().Single(r => r!["code"]!.GetValue<string>() == "listed_close_contact")!["source"]!;

        var filed = await DisputeAsync(resident, source["code"]!.GetValue<string>(), source["batchId"]!.GetValue<string>());
        var again = await DisputeAsync(resident, cdc.Source, "cc-1", "再说一次", expected: HttpStatusCode.OK);
        var queue = await QueueAsync(cdc.Token, "?state=open");

        var queued = queue["items"]!.AsArray().Single(d => d!["disputeId"]!.GetValue<string>() == filed["disputeId"]!.GetValue<string>())!;
        Assert.Multiple(() =>
        {
            Assert.That(red["color"]!.GetValue<string>(), Is.EqualTo("red"));
            Assert.That(filed["state"]!.GetValue<string>(), Is.EqualTo("open"));
            Assert.That(filed["disputeId"]!.GetValue<string>(), Does.StartWith("dp_"));
            Assert.That(again["disputeId"]!.GetValue<string>(), Is.EqualTo(filed["disputeId"]!.GetValue<string>()), "one open dispute per fact");
            Assert.That(again["reason"]!.GetValue<string>(), Is.EqualTo("我没有与该病例接触，当天在外地出差。"));
            Assert.That(queued["maskedName"]!.GetValue<string>(), Is.EqualTo("张*艺"));
            Assert.That(queued["idTail"]!.GetValue<string>(), Is.EqualTo(id[^4..]));
            Assert.That(queued["fact"]!["kind"]!.GetValue<string>(), Is.EqualTo("close_contacts"));
            Assert.That(queued["fact"]!["sourceName"]!.GetValue<string>(), Is.EqualTo("密切接触者名单"));
            Assert.That(queued.ToJsonString(), Does.Not.Contain(id), "the queue shows the person masked");
        });

        await cdc.UploadAndWaitAsync(Retraction(id), "cc-2");

        var green = await CodeAsync(resident);
        var disputes = await DisputesAsync(resident);
        var settled = disputes.Single(d => d!["disputeId"]!.GetValue<string>() == filed["disputeId"]!.GetValue<string>())!;
        var retractedQueue = (await QueueAsync(cdc.Token, "?state=retracted"))["items"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(green["color"]!.GetValue<string>(), Is.EqualTo("green"));
            Assert.That(settled["state"]!.GetValue<string>(), Is.EqualTo("retracted"));
            Assert.That(settled["resolvedAt"], Is.Not.Null);
            Assert.That(settled.AsObject().ContainsKey("resolvedBy"), Is.False, "no operator's name reaches the resident");
            Assert.That(retractedQueue.Single(d => d!["disputeId"]!.GetValue<string>() == filed["disputeId"]!.GetValue<string>())!["resolvedBy"]!.GetValue<string>(),
                Is.EqualTo($"测试部门 {cdc.Department}"), "operators see who handled it");
            // DESIGN §10: filing and handling are uses of the person's data.
            Assert.That(DataUses(factory, id), Does.Contain($"dispute resident {cdc.Source} cc-1")
                .And.Contain($"dispute 测试部门 {cdc.Department} {cdc.Source} cc-1"), "the department handled it, by its batch");
        });
    }

    [Test]
    public async Task AHolder_DisputesAFamilyMembersFact_AndSeesItBesideTheirOwn()
    {
        var (holder, _) = await GreenResidentAsync(client);
        var dependantId = Declarations.IdFor(holder.Phone, member: 2);
        var added = await ResidentClient.JsonAsync(await holder.SendAsync(HttpMethod.Post, "/api/v1/me/dependants", new { name = "张小艺", idNumber = dependantId }));
        var personId = added["personId"]!.GetValue<string>();
        var declared = await holder.SendAsync(HttpMethod.Post, $"/api/v1/declarations?personId={personId}",
            Declarations.Clean(holder.Phone).With("name", "张小艺").With("idNumber", dependantId));
        Assert.That(declared.StatusCode, Is.EqualTo(HttpStatusCode.Created), await declared.Content.ReadAsStringAsync());
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts");
        await cdc.UploadAndWaitAsync(CloseContact(factory.Time, dependantId).Replace("张三艺", "张小艺", StringComparison.Ordinal), "family-1");

        var filed = await DisputeAsync(holder, cdc.Source, "family-1", personId: personId);
        var holdersOwn = await DisputeAsync(holder, cdc.Source, "family-1", expected: HttpStatusCode.NotFound);

        var listed = await DisputesAsync(holder);
        var narrowed = await DisputesAsync(holder, $"?personId={personId}");
        Assert.Multiple(() =>
        {
            Assert.That(filed["personId"]!.GetValue<string>(), Is.EqualTo(personId));
            Assert.That(filed["maskedName"]!.GetValue<string>(), Is.EqualTo("张*艺"));
            Assert.That(holdersOwn["code"]!.GetValue<string>(), Is.EqualTo("fact_not_found"), "the holder has no such fact: their dependant does");
            Assert.That(listed.Select(d => d!["disputeId"]!.GetValue<string>()), Does.Contain(filed["disputeId"]!.GetValue<string>()));
            Assert.That(narrowed.Select(d => d!["personId"]!.GetValue<string>()), Is.All.EqualTo(personId));
        });
    }

    [Test]
    public async Task ADisputeOfAFactThatDoesNotExist_Is404FactNotFound_AndABadOneNamesEachField()
    {
        var (resident, id) = await GreenResidentAsync(client);
        var (other, otherId) = await GreenResidentAsync(client);
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts");
        await cdc.UploadAndWaitAsync(CloseContact(factory.Time, otherId), "someone-else");
        using var commission = await SharingClient.CreateAsync(factory, client, "risk_areas", "中高风险地区");
        await commission.UploadAndWaitAsync($"region,level,from,to\n659001,high,{factory.Time.GetUtcNow():yyyy-MM-dd},{factory.Time.GetUtcNow().AddDays(5):yyyy-MM-dd}\n", "areas-1");

        var noSuchBatch = await DisputeAsync(resident, cdc.Source, "no-such-batch", expected: HttpStatusCode.NotFound);
        var anotherPersons = await DisputeAsync(resident, cdc.Source, "someone-else", expected: HttpStatusCode.NotFound);
        var aRegionsDesignation = await DisputeAsync(resident, commission.Source, "areas-1", expected: HttpStatusCode.NotFound);
        var empty = await resident.SendAsync(HttpMethod.Post, "/api/v1/me/disputes", new { source = " ", reason = new string('长', 501) });

        Assert.Multiple(async () =>
        {
            Assert.That(noSuchBatch["code"]!.GetValue<string>(), Is.EqualTo("fact_not_found"));
            Assert.That(anotherPersons["code"]!.GetValue<string>(), Is.EqualTo("fact_not_found"), "a resident cannot dispute (or probe) another person's facts");
            Assert.That(aRegionsDesignation["code"]!.GetValue<string>(), Is.EqualTo("fact_not_found"));
            var problem = await Problems.AssertAsync(empty, HttpStatusCode.BadRequest, "validation_failed");
            Assert.That(Problems.Errors(problem), Is.EqualTo(new[] { "source required", "batchId required", "reason text_too_long" }));
            Assert.That(await DisputesAsync(resident), Is.Empty);
            Assert.That(DataUses(factory, id).Where(u => u.StartsWith("dispute", StringComparison.Ordinal)), Is.Empty, "nothing was filed, nothing used");
        });
        Assert.That((await DisputesAsync(other)), Is.Empty);
    }

    [Test]
    public async Task AResident_NeverReadsOrFilesAnotherPersonsDisputes()
    {
        var (owner, ownerId) = await GreenResidentAsync(client);
        var (stranger, _) = await GreenResidentAsync(client);
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts");
        await cdc.UploadAndWaitAsync(CloseContact(factory.Time, ownerId), "private-1");
        var filed = await DisputeAsync(owner, cdc.Source, "private-1");
        var ownersPerson = filed["personId"]!.GetValue<string>();

        var strangersList = await DisputesAsync(stranger);
        var byPersonId = await stranger.GetAsync($"/api/v1/me/disputes?personId={ownersPerson}");
        var fileForThem = await stranger.SendAsync(HttpMethod.Post, $"/api/v1/me/disputes?personId={ownersPerson}", new { source = cdc.Source, batchId = "private-1", reason = "冒充" });
        var anonymous = await new ResidentClient(client).GetAsync("/api/v1/me/disputes");

        Assert.That(strangersList.Select(d => d!["disputeId"]!.GetValue<string>()), Does.Not.Contain(filed["disputeId"]!.GetValue<string>()));
        Assert.That(strangersList, Is.Empty);
        await Problems.AssertAsync(byPersonId, HttpStatusCode.NotFound, "person_not_found");
        await Problems.AssertAsync(fileForThem, HttpStatusCode.NotFound, "person_not_found");
        Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await DisputesAsync(owner)).Single()!["reason"]!.GetValue<string>(), Is.EqualTo("我没有与该病例接触，当天在外地出差。"), "the owner's dispute is untouched");
    }

    [Test]
    public async Task ADepartment_SeesAndAnswersOnlyItsOwnSourcesDisputes_AndCannotRetractAnothersData()
    {
        var (resident, id) = await GreenResidentAsync(client);
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts", "密切接触者名单");
        using var lab = await SharingClient.CreateAsync(factory, client, "tests", "核酸检测结果");
        var sampled = factory.Time.GetUtcNow().AddHours(-20).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
        await cdc.UploadAndWaitAsync(CloseContact(factory.Time, id), "cc-own");
        await lab.UploadAndWaitAsync($"idNumber,name,sampledAt,result,lab\n{id},张三艺,{sampled},positive,郑州检测\n", "lab-own");
        var cdcDispute = (await DisputeAsync(resident, cdc.Source, "cc-own"))["disputeId"]!.GetValue<string>();
        var labDispute = (await DisputeAsync(resident, lab.Source, "lab-own", "我那天没有做核酸检测。"))["disputeId"]!.GetValue<string>();

        var cdcQueue = await QueueAsync(cdc.Token);
        var answersAnothers = await StaffClient.Operator(client, HttpMethod.Post, $"/api/v1/admin/disputes/{labDispute}/reject", new { note = "不是我们的数据" }, cdc.Token);
        var retractsAnothers = await cdc.UploadAsync($"idNumber,name,sampledAt,result,lab,op\n{id},,{sampled},,郑州检测,retract\n", "not-ours", source: lab.Source);
        var answersOwn = await StaffClient.Operator(client, HttpMethod.Post, $"/api/v1/admin/disputes/{labDispute}/reject", new { note = "检测记录与采样登记一致，结果维持。" }, lab.Token);
        var answeredTwice = await StaffClient.Operator(client, HttpMethod.Post, $"/api/v1/admin/disputes/{labDispute}/reject", new { note = "再次" }, lab.Token);

        var cdcIds = cdcQueue["items"]!.AsArray().Select(d => d!["disputeId"]!.GetValue<string>()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(cdcIds, Does.Contain(cdcDispute));
            Assert.That(cdcIds, Does.Not.Contain(labDispute), "a department never sees what residents say of another department's data");
            Assert.That(cdcQueue["items"]!.AsArray().Select(d => d!["fact"]!["provider"]!.GetValue<string>()), Is.All.EqualTo(cdc.Department));
        });
        var refused = await Problems.AssertAsync(answersAnothers, HttpStatusCode.Forbidden, "role_required");
        Assert.That(refused["roles"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EqualTo(new[] { "health", $"department:{lab.Department}" }));
        await Problems.AssertAsync(retractsAnothers, HttpStatusCode.Forbidden, "department_required");
        Assert.That(answersOwn.StatusCode, Is.EqualTo(HttpStatusCode.OK), await answersOwn.Content.ReadAsStringAsync());
        await Problems.AssertAsync(answeredTwice, HttpStatusCode.Conflict, "dispute_closed");

        var mine = await DisputesAsync(resident);
        var rejected = mine.Single(d => d!["disputeId"]!.GetValue<string>() == labDispute)!;
        Assert.Multiple(() =>
        {
            Assert.That(rejected["state"]!.GetValue<string>(), Is.EqualTo("rejected"));
            Assert.That(rejected["note"]!.GetValue<string>(), Is.EqualTo("检测记录与采样登记一致，结果维持。"));
            Assert.That(mine.Single(d => d!["disputeId"]!.GetValue<string>() == cdcDispute)!["state"]!.GetValue<string>(), Is.EqualTo("open"), "the other department's answer changed nothing of the CDC's");
            Assert.That(DataUses(factory, id), Does.Contain($"dispute 数据员 department:{lab.Department} {lab.Source} lab-own"));
        });
        var audit = await (await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit")).Content.ReadAsStringAsync();
        Assert.That(audit, Does.Contain("RejectDispute").And.Contain(labDispute), "the answer is audited under the department operator's name, its target the dispute");
    }

    [Test]
    public async Task TheQueue_IsForHealthOperatorsAndDepartments_NotForAdminsOrTheBootstrapKey()
    {
        var health = await NamedOperator.HealthAsync(client, "周卫健");
        var auditor = await NamedOperator.CreateAsync(client, "赵审计", "auditor");
        var (resident, id) = await GreenResidentAsync(client);
        var (another, anotherId) = await GreenResidentAsync(client);
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts");
        await cdc.UploadAndWaitAsync(CloseContact(factory.Time, id), "queue-1");
        await cdc.UploadAndWaitAsync(CloseContact(factory.Time, anotherId), "queue-2");
        var filed = (await DisputeAsync(resident, cdc.Source, "queue-1"))["disputeId"]!.GetValue<string>();
        await DisputeAsync(another, cdc.Source, "queue-2");

        var healthQueue = await QueueAsync(health.Token, "?limit=200");
        var page = await QueueAsync(health.Token, "?limit=1");
        var next = await QueueAsync(health.Token, $"?limit=1&cursor={page["nextCursor"]}");
        var bootstrap = await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/disputes");
        var byAuditor = await auditor.SendAsync(client, HttpMethod.Get, "/api/v1/admin/disputes");
        var badQuery = await health.SendAsync(client, HttpMethod.Get, "/api/v1/admin/disputes?state=closed&limit=0&cursor=x");

        Assert.That(healthQueue["items"]!.AsArray().Select(d => d!["disputeId"]!.GetValue<string>()), Does.Contain(filed));
        Assert.That(page["items"]!.AsArray().Single()!["disputeId"]!.GetValue<string>(), Is.Not.EqualTo(next["items"]!.AsArray().Single()!["disputeId"]!.GetValue<string>()));
        await Problems.AssertAsync(bootstrap, HttpStatusCode.Forbidden, "role_required");
        await Problems.AssertAsync(byAuditor, HttpStatusCode.Forbidden, "role_required");
        var invalid = await Problems.AssertAsync(badQuery, HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(Problems.Errors(invalid), Is.EqualTo(new[] { "state state_invalid", "cursor cursor_invalid", "limit limit_invalid" }));
    }

    [Test]
    public async Task ADepartment_CannotDisputeOrRetractAnotherDepartmentsRow_EvenWithAListOfTheSameKind()
    {
        var (resident, id) = await GreenResidentAsync(client);
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts", "密切接触者名单");
        using var other = await SharingClient.CreateAsync(factory, client, "close_contacts", "密切接触者名单（外市）");
        await cdc.UploadAndWaitAsync(CloseContact(factory.Time, id), "theirs-1");
        var filed = (await DisputeAsync(resident, cdc.Source, "theirs-1"))["disputeId"]!.GetValue<string>();

        // The other department names the same person and case in its own list, then retracts that row: its own list only.
        await other.UploadAndWaitAsync(CloseContact(factory.Time, id), "mine-1");
        var retracted = await other.UploadAndWaitAsync(Retraction(id), "mine-2");
        // Nor can it file a dispute: disputes are the resident's, and an operator's token is no resident session.
        var byDepartment = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/me/disputes", new { source = cdc.Source, batchId = "theirs-1", reason = "代为纠错" }, other.Token);
        var othersQueue = await QueueAsync(other.Token);

        var code = await CodeAsync(resident);
        var dispute = (await DisputesAsync(resident)).Single(d => d!["disputeId"]!.GetValue<string>() == filed)!;
        Assert.Multiple(() =>
        {
            Assert.That(retracted["status"]!.GetValue<string>(), Is.EqualTo("applied"), retracted.ToJsonString());
            Assert.That(byDepartment.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(othersQueue["items"]!.AsArray().Select(d => d!["disputeId"]!.GetValue<string>()), Does.Not.Contain(filed));
            Assert.That(code["color"]!.GetValue<string>(), Is.EqualTo("red"), "the CDC's row stands");
            Assert.That(code["reasons"]!.AsArray().Select(r => r!["source"]?["code"]?.GetValue<string>()), Does.Contain(cdc.Source));
            Assert.That(dispute["state"]!.GetValue<string>(), Is.EqualTo("open"), "another department's retraction closes nothing of the CDC's");
        });
    }

    [Test]
    public async Task PagingTheQueue_PastItsEnd_AnswersAnEmptyPageWithoutACursor()
    {
        var (first, firstId) = await GreenResidentAsync(client);
        var (second, secondId) = await GreenResidentAsync(client);
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts");
        await cdc.UploadAndWaitAsync(CloseContact(factory.Time, firstId) + CloseContact(factory.Time, secondId).Split('\n')[1] + "\n", "paged-1");
        var one = (await DisputeAsync(first, cdc.Source, "paged-1"))["disputeId"]!.GetValue<string>();
        var two = (await DisputeAsync(second, cdc.Source, "paged-1"))["disputeId"]!.GetValue<string>();

        var page1 = await QueueAsync(cdc.Token, "?limit=1");
        var page2 = await QueueAsync(cdc.Token, $"?limit=1&cursor={page1["nextCursor"]}");
        var page3 = await QueueAsync(cdc.Token, $"?limit=1&cursor={page2["nextCursor"]}");
        var whole = await QueueAsync(cdc.Token, "?limit=200");
        var farPast = await QueueAsync(cdc.Token, $"?cursor={long.MaxValue}");
        var overflow = await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/disputes?cursor=99999999999999999999", null, cdc.Token);
        var negative = await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/disputes?cursor=-1", null, cdc.Token);
        var tooMany = await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/disputes?limit=201", null, cdc.Token);

        Assert.Multiple(() =>
        {
            Assert.That(page1["items"]!.AsArray().Single()!["disputeId"]!.GetValue<string>(), Is.EqualTo(one), "oldest first");
            Assert.That(page2["items"]!.AsArray().Single()!["disputeId"]!.GetValue<string>(), Is.EqualTo(two));
            Assert.That(page2["nextCursor"]?.GetValue<string>(), Is.Not.Null, "a full page cannot know it was the last");
            Assert.That(page3["items"]!.AsArray(), Is.Empty, "past the end: an empty page, not an error");
            Assert.That(page3["nextCursor"], Is.Null, "and no cursor to follow");
            Assert.That(whole["items"]!.AsArray().Select(d => d!["disputeId"]!.GetValue<string>()), Is.EqualTo(new[] { one, two }));
            Assert.That(whole["nextCursor"], Is.Null);
            Assert.That(farPast["items"]!.AsArray(), Is.Empty);
            Assert.That(farPast["nextCursor"], Is.Null);
        });
        Assert.That(Problems.Errors(await Problems.AssertAsync(overflow, HttpStatusCode.BadRequest, "validation_failed")), Is.EqualTo(new[] { "cursor cursor_invalid" }));
        Assert.That(Problems.Errors(await Problems.AssertAsync(negative, HttpStatusCode.BadRequest, "validation_failed")), Is.EqualTo(new[] { "cursor cursor_invalid" }));
        Assert.That(Problems.Errors(await Problems.AssertAsync(tooMany, HttpStatusCode.BadRequest, "validation_failed")), Is.EqualTo(new[] { "limit limit_invalid" }));
    }

    private async Task<JsonObject> QueueAsync(string token, string query = "")
    {
        var response = await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/disputes" + query, null, token);
        var body = await ResidentClient.JsonAsync(response);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        return body;
    }
}
