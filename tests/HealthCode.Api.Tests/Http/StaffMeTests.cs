using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using HealthCode.Api.Tests.Support;

namespace HealthCode.Api.Tests.Http;

/// <summary>
/// <c>GET /api/v1/staff/me</c>: the scanner page checks a staff token with it when the token is saved, and takes the
/// checkpoint from the answer. A good token gets its own record; a made-up, expired or revoked one a 401 whose code says which.
/// </summary>
[TestFixture]
internal sealed class StaffMeTests : ServiceFixture
{
    [Test]
    public async Task StaffMe_WithAGoodToken_AnswersItsOwnRecord_NameCheckpointProvinceAndExpiry()
    {
        var staff = await StaffClient.EnrolAsync(client, "metro-line2-gate7");

        var response = await GetMeAsync(staff.Token);

        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        var me = JsonNode.Parse(text)!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(me["staffId"]!.GetValue<string>(), Is.EqualTo(staff.StaffId));
            Assert.That(me["name"]!.GetValue<string>(), Is.EqualTo("王检查"), "the name as the operator enrolled it");
            Assert.That(me["checkpointId"]!.GetValue<string>(), Is.EqualTo("metro-line2-gate7"));
            Assert.That(me["province"]!["code"]!.GetValue<string>(), Is.EqualTo("410000"));
            Assert.That(me["province"]!["name"]!.GetValue<string>(), Is.EqualTo("河南省"));
            Assert.That(me["expiresAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(factory.Time.GetUtcNow() + TimeSpan.FromHours(12)));
            Assert.That(me.Select(p => p.Key), Is.EquivalentTo(new[] { "staffId", "name", "checkpointId", "province", "expiresAt" }),
                "nothing but the record: never the token or its hash");
        });
    }

    [TestCase(null, "staff_token_missing")]
    [TestCase("made-up-staff-token", "staff_token_invalid")]
    public async Task StaffMe_WithoutAToken_OrWithAMadeUpOne_Is401(string? token, string code)
    {
        await Problems.AssertAsync(await GetMeAsync(token), HttpStatusCode.Unauthorized, code);
    }

    [Test]
    public async Task StaffMe_WithARevokedToken_Is401Revoked()
    {
        var staff = await StaffClient.EnrolAsync(client);
        Assert.That((await GetMeAsync(staff.Token)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var revoked = await StaffClient.Operator(client, HttpMethod.Delete, $"/api/v1/admin/staff/{staff.StaffId}");

        Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await Problems.AssertAsync(await GetMeAsync(staff.Token), HttpStatusCode.Unauthorized, "staff_token_revoked");
    }

    [Test]
    public async Task StaffMe_WithAnExpiredToken_Is401Expired()
    {
        using var local = new HealthCodeFactory();
        using var localClient = local.CreateClient();
        var staff = await StaffClient.EnrolAsync(localClient);

        local.Time.Advance(TimeSpan.FromHours(12) + TimeSpan.FromSeconds(1));

        await Problems.AssertAsync(await GetMeAsync(staff.Token, localClient), HttpStatusCode.Unauthorized, "staff_token_expired");
    }

    [TestCase("session")]
    [TestCase("operator")]
    public async Task StaffMe_WithAResidentsSessionOrAnOperatorKey_Is401(string who)
    {
        var token = who == "operator" ? HealthCodeFactory.OperatorKey : (await new ResidentClient(client).LogInAsync()).Token!;

        await Problems.AssertAsync(await GetMeAsync(token), HttpStatusCode.Unauthorized, "staff_token_invalid");
    }

    private async Task<HttpResponseMessage> GetMeAsync(string? token, HttpClient? through = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/staff/me");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await (through ?? client).SendAsync(request);
    }
}
