using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using HealthCode.Api.Tests.Support;
using HealthCode.Trust.Keys;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;

namespace HealthCode.Api.Tests.Http;

/// <summary>The province's own trust list, key rotation and revocation, and the partner registry, over HTTP.</summary>
[TestFixture]
internal sealed class FederationEndpointTests
{
    [Test]
    public async Task TrustList_IsSignedByOurRoot_WithAnETag_And304WhenUnchanged()
    {
        using var factory = new HealthCodeFactory();
        var client = factory.CreateClient();

        var first = await client.GetAsync("/.well-known/healthcode/trust-list");
        var jws = await first.Content.ReadAsStringAsync();
        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/.well-known/healthcode/trust-list");
        conditional.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        var second = await client.SendAsync(conditional);

        Assert.Multiple(() =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(first.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/jose"));
            Assert.That(first.Headers.ETag, Is.Not.Null);
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
        });
        var list = Verify(jws, factory);
        Assert.That(list.Keys.Single().Status, Is.EqualTo(KeyStatus.Active));
    }

    [Test]
    public async Task Rotate_PublishesAHigherSeq_SignsNewCodesWithTheNewKey_AndOldCodesStayValid()
    {
        using var factory = WithOwnKeys(out _);
        var client = factory.CreateClient();
        var staff = await StaffClient.EnrolAsync(client);
        var before = Verify(await client.GetStringAsync("/.well-known/healthcode/trust-list"), factory);
        var resident = await new ResidentClient(client).LogInAsync();
        await resident.DeclareAsync(Declarations.Clean(resident.Phone));
        var oldCode = await (await resident.GetAsync("/api/v1/me/code/qr?format=text")).Content.ReadAsStringAsync();

        var rotated = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/keys/rotate");
        var body = JsonNode.Parse(await rotated.Content.ReadAsStringAsync())!;
        var after = Verify(await client.GetStringAsync("/.well-known/healthcode/trust-list"), factory);
        var newCode = await (await resident.GetAsync("/api/v1/me/code/qr?format=text")).Content.ReadAsStringAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(rotated.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
            Assert.That(after.Seq, Is.GreaterThan(before.Seq));
            Assert.That(body["trustListSeq"]!.GetValue<long>(), Is.EqualTo(after.Seq));
            Assert.That(after.Keys.Select(k => k.Status), Is.EquivalentTo(new[] { KeyStatus.Retired, KeyStatus.Active }));
            Assert.That((await staff.VerifyAsync(newCode))["valid"]!.GetValue<bool>(), Is.True);
            Assert.That((await staff.VerifyAsync(oldCode))["valid"]!.GetValue<bool>(), Is.True, "a retired key's codes stay valid");
        });
        Assert.That(Kid(newCode), Is.Not.EqualTo(Kid(oldCode)));
    }

    [Test]
    public async Task Revoke_MakesTheKeysCodesFailWithKeyRevoked_AndTheActiveKeyCannotBeRevoked()
    {
        using var factory = WithOwnKeys(out _);
        var client = factory.CreateClient();
        var staff = await StaffClient.EnrolAsync(client);
        var resident = await new ResidentClient(client).LogInAsync();
        await resident.DeclareAsync(Declarations.Clean(resident.Phone));
        var oldCode = await (await resident.GetAsync("/api/v1/me/code/qr?format=text")).Content.ReadAsStringAsync();
        var oldKid = Kid(oldCode);

        var refused = await StaffClient.Operator(client, HttpMethod.Post, $"/api/v1/admin/keys/{oldKid}/revoke", new { reason = "test" });
        await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/keys/rotate");
        var revoked = await StaffClient.Operator(client, HttpMethod.Post, $"/api/v1/admin/keys/{oldKid}/revoke", new { reason = "private key leaked" });
        var list = Verify(await client.GetStringAsync("/.well-known/healthcode/trust-list"), factory);

        Assert.Multiple(async () =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("key_active"));
            Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.OK), await revoked.Content.ReadAsStringAsync());
            Assert.That(list.Keys.Single(k => k.Key.Kid == oldKid).Status, Is.EqualTo(KeyStatus.Revoked));
            Assert.That(StaffClient.ErrorCode(await staff.VerifyAsync(oldCode)), Is.EqualTo("key_revoked"));
        });
    }

    [TestCase("{\"reason\":\"\"}", HttpStatusCode.BadRequest, "validation_failed")]
    [TestCase("{\"reason\":\"leak\"}", HttpStatusCode.NotFound, "key_not_found")]
    public async Task Revoke_RejectsBadRequests(string body, HttpStatusCode status, string code)
    {
        using var factory = WithOwnKeys(out _);
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/keys/nosuchkd/revoke")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", HealthCodeFactory.OperatorKey);

        var response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(status));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(code));
    }

    [Test]
    public async Task RegisterPartner_NamesEveryInvalidField()
    {
        using var factory = new HealthCodeFactory();
        using var keys = ProvinceKeys.Load(RepoPaths.SampleKeys("330000"));

        var response = await StaffClient.Operator(factory.CreateClient(), HttpMethod.Post, "/api/v1/admin/partners", new
        {
            iss = "410000",
            name = "",
            trustListUrl = "ftp://example/list",
            rootKey = JsonNode.Parse(keys.Root.ToPrivateJwk()),
        });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var fields = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsArray().Select(e => e!["code"]!.GetValue<string>());
        Assert.That(fields, Is.EquivalentTo(new[] { "iss_is_self", "required", "url_invalid", "root_key_invalid" }));
    }

    [Test]
    public async Task RegisterPartner_AnswersAtOnce_IsListed_AndCanBeRemoved()
    {
        using var factory = new HealthCodeFactory();
        var client = factory.CreateClient();
        using var keys = ProvinceKeys.Load(RepoPaths.SampleKeys("330000"));

        var created = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/partners", new
        {
            iss = "330000",
            name = "浙江省",
            trustListUrl = "http://127.0.0.1:9/.well-known/healthcode/trust-list",
            rootKey = JsonNode.Parse(keys.Root.ToPublicJwk()),
        });
        var listed = JsonNode.Parse(await (await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/partners")).Content.ReadAsStringAsync())!.AsArray();
        var removed = await StaffClient.Operator(client, HttpMethod.Delete, "/api/v1/admin/partners/330000");
        var again = await StaffClient.Operator(client, HttpMethod.Delete, "/api/v1/admin/partners/330000");

        Assert.Multiple(() =>
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            // The fetch runs in the background (on the real clock, which this test's fake one does not move).
            Assert.That(listed.Single()!["state"]!.GetValue<string>(), Is.AnyOf("pending", "failing"));
            Assert.That(listed.Single()!["source"]!.GetValue<string>(), Is.EqualTo("bilateral"));
            Assert.That(removed.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task Readyz_IsDegraded_WhenTheOwnListIsCloseToExpiry()
    {
        using var factory = new HealthCodeFactory(settings: new()
        {
            ["HealthCode:Federation:ListLifetime"] = "01:00:00",
            ["HealthCode:Federation:ResignBefore"] = "00:10:00",
            ["HealthCode:Federation:WarnBefore"] = "02:00:00",
        });

        var ready = JsonNode.Parse(await factory.CreateClient().GetStringAsync("/readyz"))!;
        var metrics = await factory.CreateClient().GetStringAsync("/metrics");

        Assert.That(ready["status"]!.GetValue<string>(), Is.EqualTo("degraded"));
        Assert.That(ready["checks"]!["trustLists"]!.GetValue<string>(), Is.EqualTo("degraded"));
        Assert.That(metrics, Does.Contain("healthcode_trust_list_expires_in_seconds{issuer=\"own\"} 3600"));
    }

    [Test]
    public async Task OwnList_IsResignedWithAHigherSeq_BeforeItExpires()
    {
        using var factory = new HealthCodeFactory(settings: new()
        {
            ["HealthCode:Federation:ListLifetime"] = "01:00:00",
            ["HealthCode:Federation:ResignBefore"] = "00:30:00",
        });
        var client = factory.CreateClient();
        var first = Verify(await client.GetStringAsync("/.well-known/healthcode/trust-list"), factory);

        // Past the re-sign point; the background check runs every ResignBefore / 3.
        for (var i = 0; i < 4; i++)
        {
            factory.Time.Advance(TimeSpan.FromMinutes(10));
            await Task.Delay(50);
        }

        var second = Verify(await client.GetStringAsync("/.well-known/healthcode/trust-list"), factory);
        Assert.That(second.Seq, Is.GreaterThan(first.Seq));
        Assert.That(second.ExpiresAt, Is.GreaterThan(first.ExpiresAt));
    }

    private static HealthCodeFactory WithOwnKeys(out string folder)
    {
        // Rotation writes into the keys folder: never into keys-sample/.
        folder = Path.Combine(Path.GetTempPath(), "healthcode-tests", Guid.NewGuid().ToString("N"), "410000");
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(RepoPaths.SampleKeys("410000"), "*.jwk"))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        return new HealthCodeFactory(settings: new() { ["HealthCode:Keys:Path"] = folder });
    }

    private static TrustList Verify(string jws, HealthCodeFactory factory)
    {
        using var keys = ProvinceKeys.Load(RepoPaths.SampleKeys("410000"));
        var result = TrustListCodec.Verify(jws, keys.Root, "410000", null, factory.Time.GetUtcNow(), TimeSpan.FromSeconds(30));
        Assert.That(result.IsValid, Is.True, result.ToString());
        return result.List!;
    }

    private static string Kid(string qr)
    {
        HealthCode.Trust.Tokens.QrText.TryDecode(qr, out var jws);
        var header = JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(jws.Split('.')[0]))!;
        return header["kid"]!.GetValue<string>();
    }
}
