using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using HealthCode.Api.Tests.Support;

namespace HealthCode.Api.Tests.Http;

/// <summary>
/// <c>POST /api/v1/partner/status</c>: a partner that scanned one of our codes asks for its
/// current status with a signed request; each request is answered once (FEDERATION-FORMAT §2.2).
/// </summary>
[TestFixture]
internal sealed class PartnerStatusTests
{
    private static readonly string PartnersFolder = PartnerProvince.NewPartnersFolder();
    private HealthCodeFactory factory = null!;
    private PartnerProvince zhejiang = null!;

    [OneTimeSetUp]
    public void StartService()
    {
        zhejiang = new PartnerProvince("330000", "浙江省");
        zhejiang.PublishTo(PartnersFolder, HealthCodeFactory.Start, TimeSpan.FromDays(7));
        factory = HealthCodeFactory.WithPartners(PartnersFolder);
    }

    [OneTimeTearDown]
    public void StopService()
    {
        factory.Dispose();
        zhejiang.Dispose();
    }

    [Test]
    public async Task PartnerStatus_AnswersAPartnersSignedRequest_WithTheCodesColourAndVersion()
    {
        var codeId = await DeclaredCodeIdAsync();

        var (status, body) = await AskAsync(zhejiang.SignStatusRequest("410000", codeId, factory.Time.GetUtcNow()));

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
            Assert.That((string?)body["sub"], Is.EqualTo(codeId));
            Assert.That((string?)body["color"], Is.EqualTo("green"));
            Assert.That(body["statusVersion"]!.GetValue<int>(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task PartnerStatus_RefusesAReplayedRequest_AndAnswersANewOne()
    {
        var codeId = await DeclaredCodeIdAsync();
        var request = zhejiang.SignStatusRequest("410000", codeId, factory.Time.GetUtcNow());

        var (first, _) = await AskAsync(request);
        factory.Time.Advance(TimeSpan.FromSeconds(30));
        var (replay, refusal) = await AskAsync(request);
        var (fresh, _) = await AskAsync(zhejiang.SignStatusRequest("410000", codeId, factory.Time.GetUtcNow()));

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(replay, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((string?)refusal["code"], Is.EqualTo("status_request_replayed"));
            Assert.That(fresh, Is.EqualTo(HttpStatusCode.OK), "a new request, with a new jti, about the same code is answered");
        });
    }

    [Test]
    public async Task PartnerStatus_RefusesTheSameRequestAfterItExpired_AsExpired()
    {
        var codeId = await DeclaredCodeIdAsync();
        var request = zhejiang.SignStatusRequest("410000", codeId, factory.Time.GetUtcNow());
        await AskAsync(request);

        factory.Time.Advance(TimeSpan.FromMinutes(10));
        var (status, refusal) = await AskAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((string?)refusal["code"], Is.EqualTo("status_request_expired"));
        });
    }

    private async Task<string> DeclaredCodeIdAsync()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();
        var accepted = await ResidentClient.JsonAsync(await resident.DeclareAsync(Declarations.Clean(resident.Phone)));
        return accepted["codeId"]!.GetValue<string>();
    }

    private async Task<(HttpStatusCode Status, JsonObject Body)> AskAsync(string jws)
    {
        using var content = new StringContent(jws, Encoding.ASCII, "application/jose");
        using var response = await factory.CreateClient().PostAsync(new Uri("/api/v1/partner/status", UriKind.Relative), content);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }
}
