using System.Buffers.Text;
using System.Text;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Status;
using HealthCode.Trust.Tokens;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;

namespace HealthCode.Trust.Tests;

/// <summary>Zhejiang (330000) is asked; Henan (410000) asks, with the issuer key its trust list publishes.</summary>
public sealed class StatusRequestCodecTests
{
    private const string Henan = "410000";
    private const string Zhejiang = "330000";
    private const string Sub = "k3J9xQ2mT7vB4nLp";
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(1);

    private SampleProvinces _p = null!;

    [OneTimeSetUp]
    public void LoadSampleKeys() => _p = new SampleProvinces();

    [OneTimeTearDown]
    public void DisposeKeys() => _p.Dispose();

    /// <summary>Zhejiang's trust store: its own keys, and Henan's keys from Henan's verified trust list.</summary>
    private TrustStore ZhejiangStore(KeyStatus henanKeyStatus = KeyStatus.Active, TimeSpan? henanListLifetime = null)
    {
        var store = new TrustStore();
        store.SetOwn(Zhejiang, "浙江省", [(_p.Zhejiang.ActiveIssuer, KeyStatus.Active)]);
        string henanList = TrustListCodec.Sign(
            SampleProvinces.ListOf(_p.Henan, Henan, "河南省", lifetime: henanListLifetime, status: henanKeyStatus), _p.Henan.Root);
        TrustListResult verified = TrustListCodec.Verify(henanList, _p.Henan.Root, Henan, null, Crafted.Now, Skew);
        Assert.That(verified.IsValid, Is.True, verified.ToString());
        store.SetPartner(verified.List!);
        return store;
    }

    private string HenanAsks(string target = Zhejiang, DateTimeOffset? at = null, EcKey? key = null, string asker = Henan) =>
        StatusRequestCodec.Sign(asker, target, Sub, at ?? Crafted.Now, key ?? _p.Henan.ActiveIssuer);

    private StatusRequestResult ZhejiangVerifies(string jws, TrustStore? store = null, DateTimeOffset? now = null) =>
        StatusRequestCodec.Verify(jws, store ?? ZhejiangStore(), Zhejiang, now ?? Crafted.Now, Skew);

    private string Request(string payload, string? header = null, EcKey? key = null) =>
        Crafted.Jws(header ?? $$"""{"alg":"ES256","typ":"hc-status-request+jwt","kid":"{{_p.Henan.ActiveIssuer.Kid}}"}""", payload, key ?? _p.Henan.ActiveIssuer);

    private static string Payload(long? iat = null, long? exp = null, string aud = Zhejiang)
    {
        long issued = iat ?? Crafted.Now.ToUnixTimeSeconds();
        return $$"""{"iss":"410000","aud":"{{aud}}","sub":"{{Sub}}","iat":{{issued}},"exp":{{exp ?? issued + 60}},"jti":"n0nce"}""";
    }

    [Test]
    public void StatusRequest_RoundTrips_WithAskerSubAndNonce()
    {
        string jws = HenanAsks();

        StatusRequestResult result = ZhejiangVerifies(jws);

        Assert.That(result.IsValid, Is.True, result.ToString());
        StatusRequest request = result.Request!;
        Assert.Multiple(() =>
        {
            Assert.That((request.Issuer, request.Audience, request.Sub), Is.EqualTo((Henan, Zhejiang, Sub)));
            Assert.That((request.IssuedAt, request.ExpiresAt), Is.EqualTo((Crafted.Now, Crafted.Now + StatusRequestCodec.Lifetime)));
            Assert.That(request.Nonce, Has.Length.EqualTo(22));
            Assert.That(ZhejiangVerifies(HenanAsks()).Request!.Nonce, Is.Not.EqualTo(request.Nonce), "every request has a fresh jti");
            Assert.That(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(jws.Split('.')[0])),
                Is.EqualTo($$"""{"alg":"ES256","typ":"hc-status-request+jwt","kid":"{{_p.Henan.ActiveIssuer.Kid}}"}"""));
        });
    }

    [Test]
    public void Verify_RejectsRequest_AddressedToAnotherProvince()
    {
        Assert.That(ZhejiangVerifies(HenanAsks(target: "440000")).Error, Is.EqualTo(StatusRequestError.WrongAudience));
    }

    [Test]
    public void Verify_RejectsAsker_ThatIsNotAPartner()
    {
        string fromGuangdong = HenanAsks(asker: "440000", key: _p.Guangdong.ActiveIssuer);

        Assert.That(ZhejiangVerifies(fromGuangdong).Error, Is.EqualTo(StatusRequestError.UnknownIssuer));
    }

    [Test]
    public void Verify_RejectsRequest_SignedWithAKeyTheAskerRevoked()
    {
        Assert.That(ZhejiangVerifies(HenanAsks(), ZhejiangStore(KeyStatus.Revoked)).Error, Is.EqualTo(StatusRequestError.KeyRevoked));
    }

    [Test]
    public void Verify_RejectsRequest_SignedWithAKeyNotInTheAskersList()
    {
        using EcKey stranger = EcKey.Generate();

        Assert.That(ZhejiangVerifies(HenanAsks(key: stranger)).Error, Is.EqualTo(StatusRequestError.UnknownKey));
    }

    [Test]
    public void Verify_RejectsRequest_WhenTheAskersListIsStale()
    {
        TrustStore store = ZhejiangStore(henanListLifetime: TimeSpan.FromHours(1));
        DateTimeOffset later = Crafted.Now.AddHours(2);

        Assert.That(ZhejiangVerifies(HenanAsks(at: later), store, later).Error, Is.EqualTo(StatusRequestError.TrustListStale));
    }

    [Test]
    public void Verify_RejectsExpiredRequest_AndRequestFromTheFuture()
    {
        string jws = HenanAsks();
        DateTimeOffset exp = Crafted.Now + StatusRequestCodec.Lifetime;

        Assert.Multiple(() =>
        {
            Assert.That(ZhejiangVerifies(jws, now: exp + Skew - TimeSpan.FromSeconds(1)).IsValid, Is.True);
            Assert.That(ZhejiangVerifies(jws, now: exp + Skew).Error, Is.EqualTo(StatusRequestError.Expired));
            Assert.That(ZhejiangVerifies(jws, now: Crafted.Now - Skew - TimeSpan.FromSeconds(1)).Error, Is.EqualTo(StatusRequestError.NotYetValid));
        });
    }

    [Test]
    public void Verify_RejectsTamperedRequest_AsBadSignature()
    {
        string[] parts = HenanAsks().Split('.');
        string otherSub = Crafted.B64(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace(Sub, "someoneElse00000", StringComparison.Ordinal));

        Assert.That(ZhejiangVerifies($"{parts[0]}.{otherSub}.{parts[2]}").Error, Is.EqualTo(StatusRequestError.BadSignature));
    }

    [Test]
    public void Verify_RejectsAHealthCode_PresentedAsARequest()
    {
        string code = new HealthCodeSigner(_p.Henan.ActiveIssuer).Sign(Crafted.Claims());

        Assert.That(ZhejiangVerifies(code).Error, Is.EqualTo(StatusRequestError.WrongType));
    }

    [TestCase("""{"alg":"HS256","typ":"hc-status-request+jwt","kid":"x"}""", StatusRequestError.AlgorithmNotAllowed)]
    [TestCase("""{"alg":"none","typ":"hc-status-request+jwt","kid":"x"}""", StatusRequestError.AlgorithmNotAllowed)]
    [TestCase("""{"alg":"ES256","typ":"hc+jwt","kid":"x"}""", StatusRequestError.WrongType)]
    [TestCase("""{"alg":"ES256","typ":"hc-status-request+jwt"}""", StatusRequestError.Malformed)]
    public void Verify_ChecksTheHeader(string header, StatusRequestError expected)
    {
        Assert.That(ZhejiangVerifies(Request(Payload(), header)).Error, Is.EqualTo(expected));
    }

    [Test]
    public void Verify_AcceptsACraftedValidRequest_SoTheClaimCasesTestOneRuleEach()
    {
        Assert.That(ZhejiangVerifies(Request(Payload())).IsValid, Is.True);
    }

    [TestCase("""{"iss":"410000","aud":"330000","sub":"s","iat":1583049600,"exp":1583053200,"jti":"n"}""", TestName = "Verify_RejectsRequest_LivingLongerThanAMinute")]
    [TestCase("""{"iss":"410000","aud":["330000"],"sub":"s","iat":1583049600,"exp":1583049660,"jti":"n"}""", TestName = "Verify_RejectsRequest_WithAudienceArray")]
    [TestCase("""{"iss":"410000","aud":"330000","iat":1583049600,"exp":1583049660,"jti":"n"}""", TestName = "Verify_RejectsRequest_WithoutSub")]
    [TestCase("""{"iss":"410000","aud":"330000","sub":"s","iat":1583049600,"exp":1583049660}""", TestName = "Verify_RejectsRequest_WithoutJti")]
    [TestCase("""{"iss":"410000","aud":"330000","sub":"s","iat":1583049600,"exp":1583049660,"jti":"n","iss":"330000"}""", TestName = "Verify_RejectsRequest_WithAClaimTwice")]
    public void Verify_RejectsBadClaims_AsMalformed(string payload)
    {
        Assert.That(ZhejiangVerifies(Request(payload)).Error, Is.EqualTo(StatusRequestError.Malformed));
    }

    [Test]
    public void Sign_RefusesIssuerIdsThatAreNotSixDigits_AndPublicOnlyKeys()
    {
        using EcKey publicOnly = EcKey.FromJwk(_p.Henan.ActiveIssuer.ToPublicJwk());

        Assert.Multiple(() =>
        {
            Assert.That(() => StatusRequestCodec.Sign("henan", Zhejiang, Sub, Crafted.Now, _p.Henan.ActiveIssuer), Throws.ArgumentException);
            Assert.That(() => StatusRequestCodec.Sign(Henan, Zhejiang, "", Crafted.Now, _p.Henan.ActiveIssuer), Throws.ArgumentException);
            Assert.That(() => StatusRequestCodec.Sign(Henan, Zhejiang, Sub, Crafted.Now, publicOnly), Throws.ArgumentException);
        });
    }

    [Test]
    public void StatusAnswer_RoundTripsAsJson()
    {
        var answer = new StatusAnswer(Sub, StatusAnswer.ColorName(CodeColor.Yellow), 4, Crafted.Now);

        string json = answer.ToJson();

        Assert.Multiple(() =>
        {
            Assert.That(json, Is.EqualTo("""{"sub":"k3J9xQ2mT7vB4nLp","color":"yellow","statusVersion":4,"updatedAt":"2020-03-01T08:00:00Z"}"""));
            Assert.That(StatusAnswer.TryParse(json, out StatusAnswer? read), Is.True);
            Assert.That(read, Is.EqualTo(answer));
        });
    }

    [TestCase("""{"sub":"s","color":"blue","statusVersion":4,"updatedAt":"2020-03-01T08:00:00Z"}""")]
    [TestCase("""{"sub":"s","color":"green","statusVersion":-1,"updatedAt":"2020-03-01T08:00:00Z"}""")]
    [TestCase("""{"sub":"s","color":"green","statusVersion":4}""")]
    [TestCase("""{"color":"green","statusVersion":4,"updatedAt":"2020-03-01T08:00:00Z"}""")]
    [TestCase("not json")]
    public void StatusAnswer_TryParse_RejectsAnythingButTheDocumentedShape(string json)
    {
        Assert.That(StatusAnswer.TryParse(json, out _), Is.False);
    }
}
