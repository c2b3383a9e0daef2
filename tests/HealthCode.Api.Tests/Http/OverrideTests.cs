using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using HealthCode.Api.Tests.Support;
using static HealthCode.Api.Tests.Support.AccountabilityFixtures;

namespace HealthCode.Api.Tests.Http;

/// <summary>
/// Four-eyes overrides over HTTP (DESIGN §10 "Overrides") on a real Kestrel and a real SQLite file: one health operator
/// proposes, the proposer (or anyone under their name, or the bootstrap key) cannot approve, another can; the code
/// changes at once with the override's reason; the audit names both operators of one override; after the until date
/// the scored colour returns; and an override without its rule or reason is refused field by field.
/// </summary>
[TestFixture]
internal sealed class OverrideTests : ServiceFixture
{
    private const string Rule = "豫疫防指〔2020〕12号";

    [Test]
    public async Task AFourEyesOverride_IsRefusedToItsProposer_ChangesTheCodeWhenAnotherApproves_AndTheAuditNamesBoth()
    {
        var (resident, id, _) = await RedResidentAsync(factory, client, "four-eyes-1");
        var proposer = await NamedOperator.HealthAsync(client, "周卫健");
        var sameName = await NamedOperator.CreateAsync(client, proposer.Name, "health");
        var approver = await NamedOperator.HealthAsync(client, "吴审核");
        var before = await CodeAsync(resident);

        var proposed = await ProposeAsync(client, proposer, new { idNumber = id, color = "green", reason = "经流调核实，该人员与病例无接触（工单 2026-1128-07）。", rule = Rule, until = Day(factory, 3) });
        var overrideId = proposed["overrideId"]!.GetValue<string>();
        var stillRed = await CodeAsync(resident);
        var byProposer = await proposer.SendAsync(client, HttpMethod.Post, $"/api/v1/admin/overrides/{overrideId}/approve");
        var bySameName = await sameName.SendAsync(client, HttpMethod.Post, $"/api/v1/admin/overrides/{overrideId}/approve");
        var byBootstrapKey = await StaffClient.Operator(client, HttpMethod.Post, $"/api/v1/admin/overrides/{overrideId}/approve");
        Assert.Multiple(() =>
        {
            Assert.That(proposed["state"]!.GetValue<string>(), Is.EqualTo("proposed"));
            Assert.That(proposed["proposedBy"]!["name"]!.GetValue<string>(), Is.EqualTo(proposer.Name));
            Assert.That(stillRed["color"]!.GetValue<string>(), Is.EqualTo("red"), "a proposal alone changes nothing");
        });
        await Problems.AssertAsync(byProposer, HttpStatusCode.Forbidden, "four_eyes_required");
        await Problems.AssertAsync(bySameName, HttpStatusCode.Forbidden, "four_eyes_required");
        Assert.That(byBootstrapKey.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "the configured key never approves");

        var approved = await approver.SendAsync(client, HttpMethod.Post, $"/api/v1/admin/overrides/{overrideId}/approve");
        var approvedBody = await ResidentClient.JsonAsync(approved);
        var after = await CodeAsync(resident);

        Assert.Multiple(() =>
        {
            Assert.That(approved.StatusCode, Is.EqualTo(HttpStatusCode.OK), approvedBody.ToJsonString());
            Assert.That(approvedBody["state"]!.GetValue<string>(), Is.EqualTo("active"));
            Assert.That(approvedBody["decidedBy"]!["name"]!.GetValue<string>(), Is.EqualTo(approver.Name));
            Assert.That(after["color"]!.GetValue<string>(), Is.EqualTo("green"));
            Assert.That(after["statusVersion"]!.GetValue<int>(), Is.GreaterThan(before["statusVersion"]!.GetValue<int>()), "older red tokens go stale");
            Assert.That(ReasonCodes(after), Is.EqualTo(new[] { "override", "listed_close_contact" }), "the override's reason first; the fact it sets aside stays shown");
            Assert.That(after["reasons"]![0]!["zhCn"]!.GetValue<string>(), Does.Contain(Rule).And.Contain(Day(factory, 3)));
            Assert.That(after.ToJsonString(), Does.Not.Contain(proposer.Name).And.Not.Contain(approver.Name), "no operator's name on the resident's code");
        });

        var entries = await AuditOfAsync(overrideId);
        Assert.That(entries.Select(e => $"{e["action"]} {e["actor"]!["name"]}"), Is.EquivalentTo(new[] { $"ProposeOverride {proposer.Name}", $"ApproveOverride {approver.Name}" }),
            "the proposal's and the approval's entries both target the override: joined, they name both operators");
    }

    [Test]
    public async Task AnOverrideWithoutARuleOrAReason_IsRefused_NamingEveryInvalidField()
    {
        var (_, id) = await GreenResidentAsync(client);
        var health = await NamedOperator.HealthAsync(client, "周卫健");
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts");

        var bare = await health.SendAsync(client, HttpMethod.Post, "/api/v1/admin/overrides", new { idNumber = id, color = "green", until = Day(factory, 3) });
        var wrong = await health.SendAsync(client, HttpMethod.Post, "/api/v1/admin/overrides", new { idNumber = "110105194912310021", color = "blue", reason = " ", rule = new string('条', 65), until = "next week" });
        var tooFar = await health.SendAsync(client, HttpMethod.Post, "/api/v1/admin/overrides", new { idNumber = id, color = "red", reason = "r", rule = Rule, until = Day(factory, 31) });
        var past = await health.SendAsync(client, HttpMethod.Post, "/api/v1/admin/overrides", new { idNumber = id, color = "red", reason = "r", rule = Rule, until = Day(factory, -1) });
        var unknown = await health.SendAsync(client, HttpMethod.Post, "/api/v1/admin/overrides", new { idNumber = Declarations.ValidId, color = "red", reason = "r", rule = Rule, until = Day(factory, 1) });
        var byDepartment = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/overrides", new { idNumber = id, color = "green", reason = "r", rule = Rule, until = Day(factory, 1) }, cdc.Token);

        Assert.That(Problems.Errors(await Problems.AssertAsync(bare, HttpStatusCode.BadRequest, "validation_failed")), Is.EqualTo(new[] { "reason required", "rule required" }));
        Assert.That(Problems.Errors(await Problems.AssertAsync(wrong, HttpStatusCode.BadRequest, "validation_failed")),
            Is.EqualTo(new[] { "idNumber id_number_invalid_checksum", "color color_invalid", "reason required", "rule text_too_long", "until date_invalid" }));
        Assert.That(Problems.Errors(await Problems.AssertAsync(tooFar, HttpStatusCode.BadRequest, "validation_failed")), Is.EqualTo(new[] { "until until_too_far" }));
        Assert.That(Problems.Errors(await Problems.AssertAsync(past, HttpStatusCode.BadRequest, "validation_failed")), Is.EqualTo(new[] { "until until_past" }));
        await Problems.AssertAsync(unknown, HttpStatusCode.NotFound, "person_not_found");
        await Problems.AssertAsync(byDepartment, HttpStatusCode.Forbidden, "role_required");
        Assert.That((await ListAsync(health, "?state=proposed")).Select(o => o!["person"]!["idTail"]!.GetValue<string>()), Does.Not.Contain(id[^4..]), "nothing was proposed");
    }

    [Test]
    public async Task AnOverrideAnsweringADispute_MarksItOverridden_ForTheResident()
    {
        var (resident, id, cdcSource) = await RedResidentAsync(factory, client, "answered-1");
        var filed = await DisputeAsync(resident, cdcSource, "answered-1");
        var proposer = await NamedOperator.HealthAsync(client, "周卫健");
        var approver = await NamedOperator.HealthAsync(client, "吴审核");

        // The dispute names the person: no ID number needed.
        var proposed = await ProposeAsync(client, proposer, new { disputeId = filed["disputeId"], color = "green", reason = "纠错核实：信息有误，待疾控更正。", rule = Rule, until = Day(factory, 2) });
        var approved = await approver.SendAsync(client, HttpMethod.Post, $"/api/v1/admin/overrides/{proposed["overrideId"]}/approve");
        Assert.That(approved.StatusCode, Is.EqualTo(HttpStatusCode.OK), await approved.Content.ReadAsStringAsync());

        var dispute = (await DisputesAsync(resident)).Single()!;
        Assert.Multiple(async () =>
        {
            Assert.That(proposed["disputeId"]!.GetValue<string>(), Is.EqualTo(filed["disputeId"]!.GetValue<string>()));
            Assert.That(dispute["state"]!.GetValue<string>(), Is.EqualTo("overridden"));
            Assert.That(dispute.AsObject().ContainsKey("overrideId"), Is.False, "the resident sees the state, not the operators' records");
            Assert.That((await CodeAsync(resident))["color"]!.GetValue<string>(), Is.EqualTo("green"));
            Assert.That(DataUses(factory, id), Does.Contain($"dispute {approver.Name} {cdcSource} answered-1"));
        });
        var again = await ProposeResponseAsync(proposer, new { disputeId = filed["disputeId"], color = "green", reason = "再次", rule = Rule, until = Day(factory, 2) });
        await Problems.AssertAsync(again, HttpStatusCode.Conflict, "dispute_closed");
    }

    [Test]
    public async Task AProposal_IsWithdrawnByItsProposer_OrRejectedByAnother_AndThenCannotBeApproved()
    {
        var (_, id) = await GreenResidentAsync(client);
        var proposer = await NamedOperator.HealthAsync(client, "周卫健");
        var other = await NamedOperator.HealthAsync(client, "吴审核");
        var first = (await ProposeAsync(client, proposer, new { idNumber = id, color = "red", reason = "误报", rule = Rule, until = Day(factory, 1) }))["overrideId"]!.GetValue<string>();
        var second = (await ProposeAsync(client, proposer, new { idNumber = id, color = "yellow", reason = "误报", rule = Rule, until = Day(factory, 1) }))["overrideId"]!.GetValue<string>();

        var withdrawn = await ResidentClient.JsonAsync(await proposer.SendAsync(client, HttpMethod.Post, $"/api/v1/admin/overrides/{first}/reject", new { note = "填错了人" }));
        var rejected = await ResidentClient.JsonAsync(await other.SendAsync(client, HttpMethod.Post, $"/api/v1/admin/overrides/{second}/reject", new { note = "依据不足" }));
        var late = await other.SendAsync(client, HttpMethod.Post, $"/api/v1/admin/overrides/{first}/approve");
        var noNote = await other.SendAsync(client, HttpMethod.Post, $"/api/v1/admin/overrides/{second}/reject", new { note = "" });

        Assert.Multiple(() =>
        {
            Assert.That(withdrawn["state"]!.GetValue<string>(), Is.EqualTo("withdrawn"));
            Assert.That(rejected["state"]!.GetValue<string>(), Is.EqualTo("rejected"));
            Assert.That(rejected["decidedBy"]!["name"]!.GetValue<string>(), Is.EqualTo(other.Name));
            Assert.That(rejected["note"]!.GetValue<string>(), Is.EqualTo("依据不足"));
        });
        await Problems.AssertAsync(late, HttpStatusCode.Conflict, "override_not_proposed");
        await Problems.AssertAsync(noNote, HttpStatusCode.BadRequest, "validation_failed");
    }

    [Test]
    public async Task AfterItsUntilDate_TheScoredColourReturns_AndTheOverrideReadsExpired()
    {
        // A service of its own: its clock moves on two days.
        using var service = new HealthCodeFactory();
        var http = service.CreateClient();
        var (resident, id, _) = await RedResidentAsync(service, http, "expiry-1");
        var proposer = await NamedOperator.HealthAsync(http, "周卫健");
        var approver = await NamedOperator.HealthAsync(http, "吴审核");
        var overrideId = (await ProposeAsync(http, proposer, new { idNumber = id, color = "green", reason = "核实误报", rule = Rule, until = Day(service, 1) }))["overrideId"]!.GetValue<string>();
        Assert.That((await approver.SendAsync(http, HttpMethod.Post, $"/api/v1/admin/overrides/{overrideId}/approve")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await CodeAsync(resident))["color"]!.GetValue<string>(), Is.EqualTo("green"));

        service.Time.Advance(TimeSpan.FromDays(2));
        await resident.LogInAsync();

        // Declaring at once (whether or not the expiry job has run yet): scoring ignores an override past its date.
        var declared = await ResidentClient.JsonAsync(await resident.DeclareAsync(Declarations.Clean(resident.Phone)));
        Assert.That(declared["color"]!.GetValue<string>(), Is.EqualTo("red"), declared.ToJsonString());
        var listed = await ListAsync(approver, "?state=expired", http);
        Assert.That(listed.Select(o => o!["overrideId"]!.GetValue<string>()), Does.Contain(overrideId), "an override past its date reads expired at once");

        // The job records it: the override's row leaves the active state.
        var clock = Stopwatch.StartNew();
        while (service.Query($"SELECT state FROM overrides WHERE id = '{overrideId}'").Single() != "expired")
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), "the expiry job did not run");
            service.Time.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(50);
        }

        var code = await CodeAsync(resident);
        Assert.That(code["color"]!.GetValue<string>(), Is.EqualTo("red"));
        Assert.That(ReasonCodes(code), Does.Not.Contain("override"));
    }

    [Test]
    public async Task TheExpiryJob_ReturnsTheScoredColour_WithoutADeclaration()
    {
        using var service = new HealthCodeFactory();
        var http = service.CreateClient();
        var (resident, id, _) = await RedResidentAsync(service, http, "expiry-2");
        var proposer = await NamedOperator.HealthAsync(http, "周卫健");
        var approver = await NamedOperator.HealthAsync(http, "吴审核");
        var overrideId = (await ProposeAsync(http, proposer, new { idNumber = id, color = "green", reason = "核实误报", rule = Rule, until = Day(service, 0) }))["overrideId"]!.GetValue<string>();
        Assert.That((await approver.SendAsync(http, HttpMethod.Post, $"/api/v1/admin/overrides/{overrideId}/approve")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // Past midnight China Standard Time: the override's last day is over.
        service.Time.Advance(TimeSpan.FromHours(15));
        await resident.LogInAsync();
        var clock = Stopwatch.StartNew();
        while ((await CodeAsync(resident))["color"]!.GetValue<string>() != "red")
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), "the scored colour did not return");
            service.Time.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(50);
        }

        Assert.That(ReasonCodes(await CodeAsync(resident)), Is.EqualTo(new[] { "listed_close_contact" }));
    }

    /// <summary>A green resident turned red by a CDC close-contact list (batch <paramref name="batchId"/>); the list's source.</summary>
    private static async Task<ListedResident> RedResidentAsync(HealthCodeFactory service, HttpClient http, string batchId)
    {
        using var cdc = await SharingClient.CreateAsync(service, http, "close_contacts");
        var (resident, id) = await GreenResidentAsync(http);
        await cdc.UploadAndWaitAsync(CloseContact(service.Time, id), batchId);
        Assert.That((await CodeAsync(resident))["color"]!.GetValue<string>(), Is.EqualTo("red"));
        return new ListedResident(resident, id, cdc.Source);
    }

    private sealed record ListedResident(ResidentClient Resident, string IdNumber, string Source);

    private static async Task<JsonObject> ProposeAsync(HttpClient http, NamedOperator proposer, object body)
    {
        var response = await proposer.SendAsync(http, HttpMethod.Post, "/api/v1/admin/overrides", body);
        var proposed = await ResidentClient.JsonAsync(response);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), proposed.ToJsonString());
        Assert.That(response.Headers.Location!.ToString(), Is.EqualTo($"/api/v1/admin/overrides/{proposed["overrideId"]}"));
        return proposed;
    }

    private Task<HttpResponseMessage> ProposeResponseAsync(NamedOperator proposer, object body) =>
        proposer.SendAsync(client, HttpMethod.Post, "/api/v1/admin/overrides", body);

    private async Task<JsonArray> ListAsync(NamedOperator health, string query, HttpClient? http = null)
    {
        var response = await health.SendAsync(http ?? client, HttpMethod.Get, "/api/v1/admin/overrides" + query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonNode.Parse(text)!.AsArray();
    }

    /// <summary>The audit entries of operator actions on <paramref name="target"/>, read with the bootstrap key (role admin).</summary>
    private async Task<List<JsonNode>> AuditOfAsync(string target)
    {
        var audit = JsonNode.Parse(await (await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit")).Content.ReadAsStringAsync())!;
        return [.. audit["entries"]!.AsArray().Where(e => e!["target"]?.GetValue<string>() == target).Select(e => e!)];
    }

    private static string Day(HealthCodeFactory service, int days) =>
        DateOnly.FromDateTime(service.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime).AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
