using System.Net;
using System.Text;
using HealthCode.Api.Tests.Support;
using HealthCode.Trust;
using HealthCode.Trust.Verification;

namespace HealthCode.Api.Tests.Http;

/// <summary>Checkpoint staff over HTTP: enrolment, token rules, the verdict for every input, partner codes.</summary>
[TestFixture]
internal sealed class CheckpointTests
{
    private static readonly string PartnersFolder = PartnerProvince.NewPartnersFolder();
    private HealthCodeFactory factory = null!;
    private PartnerProvince zhejiang = null!;

    [OneTimeSetUp]
    public void StartService()
    {
        zhejiang = new PartnerProvince("330000", "浙江省");
        zhejiang.PublishTo(PartnersFolder, HealthCodeFactory.Start, TimeSpan.FromDays(7));
        factory = HealthCodeFactory.WithPartners(PartnersFolder, new() { ["HealthCode:Staff:LookupsPerMinute"] = "3" });
    }

    [OneTimeTearDown]
    public void StopService()
    {
        factory.Dispose();
        zhejiang.Dispose();
    }

    [Test]
    public async Task Verify_OwnGreenCode_GivesAFullVerdict()
    {
        var staff = await StaffClient.EnrolAsync(factory.CreateClient());
        var (resident, qr) = await ResidentWithCodeAsync();

        var verdict = await staff.VerifyAsync(qr);

        Assert.Multiple(() =>
        {
            Assert.That(verdict["valid"]!.GetValue<bool>(), Is.True, verdict.ToJsonString());
            Assert.That(verdict["color"]!.GetValue<string>(), Is.EqualTo("green"));
            Assert.That(verdict["issuer"]!.GetValue<string>(), Is.EqualTo("410000"));
            Assert.That(verdict["issuerName"]!.GetValue<string>(), Is.EqualTo("河南省"));
            Assert.That(verdict["maskedName"]!.GetValue<string>(), Is.EqualTo("张*艺"));
            Assert.That(verdict["idTail"]!.GetValue<string>(), Is.EqualTo(Declarations.IdFor(resident.Phone)[^4..]));
            Assert.That(verdict["source"]!.GetValue<string>(), Is.EqualTo("local"));
            Assert.That(verdict["route"]!.GetValue<string>(), Is.EqualTo("own"), "this province's own keys");
            Assert.That(verdict["issuedAt"], Is.Not.Null);
            Assert.That(verdict["expiresAt"], Is.Not.Null);
            Assert.That(verdict["error"], Is.Null);
        });
    }

    [Test]
    public async Task Verify_PartnerCode_IsRecognisedThroughItsSignedTrustList()
    {
        var staff = await StaffClient.EnrolAsync(factory.CreateClient());

        var verdict = await staff.VerifyAsync(zhejiang.SignCode(factory.Time.GetUtcNow(), CodeColor.Yellow));

        Assert.Multiple(() =>
        {
            Assert.That(verdict["valid"]!.GetValue<bool>(), Is.True, verdict.ToJsonString());
            Assert.That(verdict["color"]!.GetValue<string>(), Is.EqualTo("yellow"));
            Assert.That(verdict["issuerName"]!.GetValue<string>(), Is.EqualTo("浙江省"));
            Assert.That(verdict["source"]!.GetValue<string>(), Is.EqualTo("partner"));
            Assert.That(verdict["route"]!.GetValue<string>(), Is.EqualTo("bilateral"), "a list under a root pinned in the partners folder");
        });
    }

    [Test]
    public async Task Verify_PartnerKeyClaimingOurIssuer_IsRejected()
    {
        var staff = await StaffClient.EnrolAsync(factory.CreateClient());

        var verdict = await staff.VerifyAsync(zhejiang.SignCode(factory.Time.GetUtcNow(), issuer: "410000"));

        Assert.That(verdict["valid"]!.GetValue<bool>(), Is.False);
        Assert.That(StaffClient.ErrorCode(verdict), Is.AnyOf("unknown_key", "bad_signature"));
    }

    [Test]
    public async Task Verify_CodeOfAnUnknownProvince_IsUnknownIssuer()
    {
        var staff = await StaffClient.EnrolAsync(factory.CreateClient());
        using var guangdong = new PartnerProvince("440000", "广东省");

        var verdict = await staff.VerifyAsync(guangdong.SignCode(factory.Time.GetUtcNow()));

        Assert.That(StaffClient.ErrorCode(verdict), Is.EqualTo("unknown_issuer"));
    }

    [TestCase("", "malformed")]
    [TestCase("   ", "malformed")]
    [TestCase("HC1:/12345", "malformed")]
    [TestCase("HC1:/ab!cd", "malformed")]
    [TestCase("健康码😀\u0000\uFFFF", "unsupported_format")]
    [TestCase("https://example.org/", "unsupported_format")]
    [TestCase("eyJhbGciOiJub25lIn0.e30.", "unsupported_format")]
    public async Task Verify_AnswersEveryInputWithAVerdict(string qr, string code)
    {
        var staff = await StaffClient.EnrolAsync(factory.CreateClient());

        var verdict = await staff.VerifyAsync(qr);

        Assert.That(verdict["valid"]!.GetValue<bool>(), Is.False);
        Assert.That(StaffClient.ErrorCode(verdict), Is.EqualTo(code));
        Assert.That(verdict["error"]!["message"]!.GetValue<string>(), Is.Not.Empty);
        Assert.That(verdict.ContainsKey("route"), Is.False, "no route for a code that does not verify");
    }

    [Test]
    public async Task Verify_InputOver4KB_IsMalformed()
    {
        var staff = await StaffClient.EnrolAsync(factory.CreateClient());

        var verdict = await staff.VerifyAsync("HC1:/" + new string('1', 5000));

        Assert.That(StaffClient.ErrorCode(verdict), Is.EqualTo("malformed"));
    }

    [Test]
    public async Task Verify_ExpiredCode_IsExpired()
    {
        using var local = new HealthCodeFactory();
        var staff = await StaffClient.EnrolAsync(local.CreateClient());
        var (_, qr) = await ResidentWithCodeAsync(local);

        local.Time.Advance(TimeSpan.FromMinutes(6));
        var verdict = await staff.VerifyAsync(qr);

        Assert.That(StaffClient.ErrorCode(verdict), Is.EqualTo("expired"));
    }

    [Test]
    public async Task Verify_TokenSignedBeforeANewDeclaration_IsCodeRevoked_AndTheNewOneIsValid()
    {
        var staff = await StaffClient.EnrolAsync(factory.CreateClient());
        var (resident, old) = await ResidentWithCodeAsync();

        await resident.DeclareAsync(Declarations.Clean(resident.Phone).With("symptoms", new[] { "cough" }));
        var fresh = await (await resident.GetAsync("/api/v1/me/code/qr?format=text")).Content.ReadAsStringAsync();

        Assert.That(StaffClient.ErrorCode(await staff.VerifyAsync(old)), Is.EqualTo("code_revoked"));
        var verdict = await staff.VerifyAsync(fresh);
        Assert.That(verdict["color"]!.GetValue<string>(), Is.EqualTo("yellow"));
    }

    [Test]
    public async Task Verify_ForAnotherCheckpointThanTheToken_IsRefused()
    {
        var staff = await StaffClient.EnrolAsync(factory.CreateClient());

        var response = await staff.PostAsync("/api/v1/verify", new { qr = "x", checkpointId = "another-gate" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("checkpoint_mismatch"));
    }

    [TestCase(null, "staff_token_missing")]
    [TestCase("forged-staff-token", "staff_token_invalid")]
    public async Task StaffEndpoints_RejectAMissingOrForgedToken(string? token, string code)
    {
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/verify")
        {
            Content = new StringContent("{\"qr\":\"x\",\"checkpointId\":\"a\"}", Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        var response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(code));
    }

    [Test]
    public async Task StaffToken_Revoked_IsRefusedAtOnce()
    {
        var client = factory.CreateClient();
        var staff = await StaffClient.EnrolAsync(client);
        await staff.VerifyAsync("x");

        var revoked = await StaffClient.Operator(client, HttpMethod.Delete, $"/api/v1/admin/staff/{staff.StaffId}");
        var response = await staff.PostAsync("/api/v1/verify", new { qr = "x", checkpointId = staff.CheckpointId });

        Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("staff_token_revoked"));
    }

    [Test]
    public async Task StaffToken_Expired_IsRefused()
    {
        using var local = new HealthCodeFactory();
        var staff = await StaffClient.EnrolAsync(local.CreateClient());

        local.Time.Advance(TimeSpan.FromHours(12) + TimeSpan.FromSeconds(1));
        var response = await staff.PostAsync("/api/v1/verify", new { qr = "x", checkpointId = staff.CheckpointId });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("staff_token_expired"));
    }

    [Test]
    public async Task RevokingAnUnknownStaffMember_IsNotFound()
    {
        var response = await StaffClient.Operator(factory.CreateClient(), HttpMethod.Delete, "/api/v1/admin/staff/st_nobody");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("staff_not_found"));
    }

    [TestCase(null, "operator_key_missing")]
    [TestCase("not-the-operator-key", "operator_key_invalid")]
    public async Task OperatorEndpoints_RejectAMissingOrWrongKey(string? key, string code)
    {
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/staff")
        {
            Content = new StringContent("{\"name\":\"x\",\"checkpointId\":\"a\"}", Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            request.Headers.Authorization = new("Bearer", key);
        }

        var response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(code));
    }

    [Test]
    public async Task StaffToken_CannotUseOperatorEndpoints()
    {
        var client = factory.CreateClient();
        var staff = await StaffClient.EnrolAsync(client);

        var response = await staff.PostAsync("/api/v1/admin/staff", new { name = "x", checkpointId = "a" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task CreateStaff_NamesInvalidFields()
    {
        var response = await StaffClient.Operator(factory.CreateClient(), HttpMethod.Post, "/api/v1/admin/staff", new { name = "", checkpointId = "bad id!" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(text, Does.Contain("\"name\"").And.Contain("checkpoint_invalid"));
    }

    [Test]
    public async Task Lookup_ByIdCard_AnswersColourAndMaskedNameOnly_WithItsScanId()
    {
        var staff = await StaffClient.EnrolAsync(factory.CreateClient());
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();
        await resident.DeclareAsync(Declarations.Clean(resident.Phone).With("idNumber", "11010519491231002x").With("symptoms", new[] { "fever" }));

        var response = await staff.LookupAsync(Declarations.ValidId, "张三艺");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var body = await ResidentClient.JsonAsync(response);
        // Nothing of the person beyond what the staff member sees; scanId names the lookup's audit entry (DESIGN §5).
        Assert.That(body.Select(p => p.Key), Is.EquivalentTo(new[] { "color", "maskedName", "scanId" }));
        Assert.That(body["color"]!.GetValue<string>(), Is.EqualTo("yellow"));
        Assert.That(body["maskedName"]!.GetValue<string>(), Is.EqualTo("张*艺"));
    }

    [Test]
    public async Task Lookup_WithAnotherName_IsNotFound()
    {
        var staff = await StaffClient.EnrolAsync(factory.CreateClient());
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();
        await resident.DeclareAsync(Declarations.Clean(resident.Phone));

        var response = await staff.LookupAsync(Declarations.IdFor(resident.Phone), "李四");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("resident_not_found"));
    }

    [Test]
    public async Task Lookup_WithAnInvalidIdNumber_NamesTheField()
    {
        var staff = await StaffClient.EnrolAsync(factory.CreateClient());

        var response = await staff.LookupAsync("110105194912310021", "张三艺");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\"idNumber\""));
    }

    [Test]
    public async Task Lookup_IsRateLimitedPerStaffMember()
    {
        var client = factory.CreateClient();
        var first = await StaffClient.EnrolAsync(client);
        var second = await StaffClient.EnrolAsync(client);

        for (var i = 0; i < 3; i++)
        {
            Assert.That((await first.LookupAsync(Declarations.ValidId, "无此人")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        }

        var limited = await first.LookupAsync(Declarations.ValidId, "无此人");
        var other = await second.LookupAsync(Declarations.ValidId, "无此人");

        Assert.That(limited.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(await limited.Content.ReadAsStringAsync(), Does.Contain("rate_limited"));
        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "another staff member has a budget of their own");
    }

    private Task<(ResidentClient Resident, string Qr)> ResidentWithCodeAsync() => ResidentWithCodeAsync(factory);

    private static async Task<(ResidentClient Resident, string Qr)> ResidentWithCodeAsync(HealthCodeFactory on)
    {
        var resident = await new ResidentClient(on.CreateClient()).LogInAsync();
        await resident.DeclareAsync(Declarations.Clean(resident.Phone));
        var qr = await (await resident.GetAsync("/api/v1/me/code/qr?format=text")).Content.ReadAsStringAsync();
        return (resident, qr);
    }
}
