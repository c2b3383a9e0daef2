using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using HealthCode.Api.Infrastructure.Privacy;

namespace HealthCode.Api.Tests.Support;

/// <summary>A named operator account (DESIGN §10), created with the bootstrap key under a name of the test's choosing.</summary>
internal sealed record NamedOperator(string OperatorId, string Name, string Token)
{
    public static async Task<NamedOperator> CreateAsync(HttpClient http, string name, params string[] roles)
    {
        var response = await StaffClient.Operator(http, HttpMethod.Post, "/api/v1/admin/operators", new { name, roles });
        var body = await ResidentClient.JsonAsync(response);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), body.ToJsonString());
        return new NamedOperator(body["operatorId"]!.GetValue<string>(), name, body["token"]!.GetValue<string>());
    }

    /// <summary>A health operator with a name no other test uses (the four-eyes rule compares names).</summary>
    public static Task<NamedOperator> HealthAsync(HttpClient http, string surname) =>
        CreateAsync(http, $"{surname}{Interlocked.Increment(ref next).ToString(CultureInfo.InvariantCulture)}", "health");

    public Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, object? body = null) =>
        StaffClient.Operator(http, method, path, body, Token);

    private static int next;
}

/// <summary>Residents and the CDC's close-contact rows the dispute and override tests start from.</summary>
internal static class AccountabilityFixtures
{
    /// <summary>A resident logged in, declared clean (green); the ID number their declaration gave.</summary>
    public static async Task<(ResidentClient Resident, string IdNumber)> GreenResidentAsync(HttpClient http)
    {
        var resident = await new ResidentClient(http).LogInAsync();
        var declared = await ResidentClient.JsonAsync(await resident.DeclareAsync(Declarations.Clean(resident.Phone)));
        Assert.That(declared["color"]!.GetValue<string>(), Is.EqualTo("green"), declared.ToJsonString());
        return (resident, Declarations.IdFor(resident.Phone));
    }

    /// <summary>A close-contact list naming the person, notified an hour ago, red until <paramref name="untilDays"/> from today.</summary>
    public static string CloseContact(TimeProvider time, string idNumber, string caseRef = "HA-0017", int untilDays = 10)
    {
        var now = time.GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        return "idNumber,name,notifiedAt,until,caseRef\n" +
            $"{idNumber},张三艺,{now.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture)},{now.AddDays(untilDays):yyyy-MM-dd},{caseRef}\n";
    }

    /// <summary>The batch that retracts that row.</summary>
    public static string Retraction(string idNumber, string caseRef = "HA-0017") =>
        $"idNumber,name,notifiedAt,until,caseRef,op\n{idNumber},,,,{caseRef},retract\n";

    /// <summary>The resident's code (of the holder, or of the family member <paramref name="personId"/>).</summary>
    public static async Task<JsonObject> CodeAsync(ResidentClient resident, string? personId = null)
    {
        var response = await resident.GetAsync(personId is null ? "/api/v1/me/code" : $"/api/v1/me/code?personId={personId}");
        var code = await ResidentClient.JsonAsync(response);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), code.ToJsonString());
        return code;
    }

    public static string[] ReasonCodes(JsonObject code) => [.. code["reasons"]!.AsArray().Select(r => r!["code"]!.GetValue<string>())];

    /// <summary>The resident's disputes (<c>GET /api/v1/me/disputes</c>), which must be answered 200.</summary>
    public static async Task<JsonArray> DisputesAsync(ResidentClient resident, string query = "")
    {
        var response = await resident.GetAsync("/api/v1/me/disputes" + query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonNode.Parse(text)!.AsArray();
    }

    /// <summary>Files a dispute of a reason's source, which must be answered <paramref name="expected"/>; its body.</summary>
    public static async Task<JsonObject> DisputeAsync(
        ResidentClient resident, string source, string batchId, string reason = "我没有与该病例接触，当天在外地出差。", string? personId = null, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var response = await resident.SendAsync(HttpMethod.Post, "/api/v1/me/disputes" + (personId is null ? "" : $"?personId={personId}"), new { source, batchId, reason });
        var body = await ResidentClient.JsonAsync(response);
        Assert.That(response.StatusCode, Is.EqualTo(expected), body.ToJsonString());
        return body;
    }

    /// <summary>The data-use log's entries of the person with this ID number, as "purpose actor source batch".</summary>
    public static List<string> DataUses(HealthCodeFactory factory, string idNumber) => factory.Query(
        $"SELECT purpose || ' ' || actor || ' ' || coalesce(source, '-') || ' ' || coalesce(batch_id, '-') FROM data_use WHERE person_id = (SELECT id FROM persons WHERE id_number_index = '{SampleFields.Value.Index(PrivacyField.IdNumber, idNumber)}') ORDER BY seq");

    /// <summary>The sample keys' fields, as the service under test (Development) computes its blind indexes.</summary>
    private static readonly Lazy<PersonalFields> SampleFields = new(() => PersonalFields.Load(PrivacyFolders.Sample));
}
