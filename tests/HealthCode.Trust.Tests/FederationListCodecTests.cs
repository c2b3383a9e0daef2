using HealthCode.Trust.Federation;
using HealthCode.Trust.Keys;
using HealthCode.Trust.TrustLists;

namespace HealthCode.Trust.Tests;

public sealed class FederationListCodecTests
{
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(1);
    private const string Header = """{"alg":"ES256","typ":"hc-federation+jwt"}""";

    private EcKey _anchor = null!;
    private EcKey _anchorPublic = null!;
    private EcKey _henanRoot = null!;
    private EcKey _zhejiangRoot = null!;
    private SampleProvinces _p = null!;

    [OneTimeSetUp]
    public void LoadSampleKeys()
    {
        _anchor = ProvinceKeys.LoadHubAnchor(Path.Combine(RepoPaths.KeysSample, "hub"));
        _anchorPublic = EcKey.Load(Path.Combine(RepoPaths.KeysSample, "hub", "anchor.public.jwk"));
        _henanRoot = EcKey.Load(Path.Combine(RepoPaths.Province("410000"), "root.public.jwk"));
        _zhejiangRoot = EcKey.Load(Path.Combine(RepoPaths.Province("330000"), "root.public.jwk"));
        _p = new SampleProvinces();
    }

    [OneTimeTearDown]
    public void DisposeKeys()
    {
        _anchor.Dispose();
        _anchorPublic.Dispose();
        _henanRoot.Dispose();
        _zhejiangRoot.Dispose();
        _p.Dispose();
    }

    private FederationList Sample(long seq = 4, TimeSpan? lifetime = null) => new(seq, Crafted.Now, Crafted.Now + (lifetime ?? TimeSpan.FromDays(7)),
    [
        new FederationMember("410000", "河南省", _henanRoot, "https://hc.henan.example/.well-known/healthcode/trust-list", MemberStatus.Active),
        new FederationMember("330000", "浙江省", _zhejiangRoot, "http://127.0.0.1:5102/.well-known/healthcode/trust-list", MemberStatus.Suspended),
    ]);

    private FederationListResult Verify(string jws, long? heldSeq = null, DateTimeOffset? now = null, EcKey? anchor = null) =>
        FederationListCodec.Verify(jws, anchor ?? _anchorPublic, heldSeq, now ?? Crafted.Now, Skew);

    private string MemberJson(string iss = "410000", string url = "https://hc.henan.example/tl", string status = "active", string? rootKey = null) =>
        $$"""{"iss":"{{iss}}","name":"河南省","rootKey":{{rootKey ?? _henanRoot.ToPublicJwk()}},"trustListUrl":"{{url}}","status":"{{status}}"}""";

    private static string Payload(string members, long seq = 4) =>
        $$"""{"seq":{{seq}},"iat":{{Crafted.Now.ToUnixTimeSeconds()}},"exp":{{Crafted.Now.AddDays(7).ToUnixTimeSeconds()}},"members":[{{members}}]}""";

    [Test]
    public void FederationList_RoundTrips_WhenSignedWithSampleAnchor()
    {
        FederationList list = Sample();

        FederationListResult result = Verify(FederationListCodec.Sign(list, _anchor));

        Assert.That(result.IsValid, Is.True, result.ToString());
        FederationList read = result.List!;
        Assert.Multiple(() =>
        {
            Assert.That((read.Seq, read.IssuedAt, read.ExpiresAt), Is.EqualTo((list.Seq, list.IssuedAt, list.ExpiresAt)));
            Assert.That(read.Members.Select(m => (m.Issuer, m.Name, m.RootKey.Thumbprint, m.TrustListUrl, m.Status)),
                Is.EqualTo(list.Members.Select(m => (m.Issuer, m.Name, m.RootKey.Thumbprint, m.TrustListUrl, m.Status))));
            Assert.That(read.Members.All(m => !m.RootKey.HasPrivateKey), Is.True);
            Assert.That(read.Members.Where(m => m.IsActive).Select(m => m.Issuer), Is.EqualTo(new[] { "410000" }));
        });
    }

    [Test]
    public void Sign_WritesTheDocumentedHeader()
    {
        string jws = FederationListCodec.Sign(Sample(), _anchor);

        Assert.That(System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(jws.Split('.')[0])),
            Is.EqualTo($$"""{"alg":"ES256","typ":"hc-federation+jwt","kid":"{{_anchor.Kid}}"}"""));
    }

    [Test]
    public void Verify_RejectsList_SignedByAnotherKeyThanThePinnedAnchor()
    {
        string jws = FederationListCodec.Sign(Sample(), _p.Henan.Root);

        Assert.That(Verify(jws).Error, Is.EqualTo(FederationListError.BadSignature));
    }

    [Test]
    public void Verify_RejectsRollback_AndAcceptsTheSameSeqAgain()
    {
        string jws = FederationListCodec.Sign(Sample(seq: 4), _anchor);

        Assert.Multiple(() =>
        {
            Assert.That(Verify(jws, heldSeq: 5).Error, Is.EqualTo(FederationListError.Rollback));
            Assert.That(Verify(jws, heldSeq: 4).IsValid, Is.True);
        });
    }

    [Test]
    public void Verify_RejectsExpiredList_BeyondTheSkew()
    {
        string jws = FederationListCodec.Sign(Sample(lifetime: TimeSpan.FromDays(1)), _anchor);
        DateTimeOffset exp = Crafted.Now.AddDays(1);

        Assert.Multiple(() =>
        {
            Assert.That(Verify(jws, now: exp + Skew - TimeSpan.FromSeconds(1)).IsValid, Is.True);
            Assert.That(Verify(jws, now: exp + Skew).Error, Is.EqualTo(FederationListError.Expired));
        });
    }

    [Test]
    public void Verify_RejectsTrustList_AsWrongType_AndTrustListCodecRejectsFederationList()
    {
        string trustList = TrustListCodec.Sign(SampleProvinces.ListOf(_p.Henan, "410000", "河南省"), _anchor);
        string federation = FederationListCodec.Sign(Sample(), _anchor);

        Assert.Multiple(() =>
        {
            Assert.That(Verify(trustList).Error, Is.EqualTo(FederationListError.WrongType));
            Assert.That(TrustListCodec.Verify(federation, _anchorPublic, "410000", null, Crafted.Now, Skew).Error, Is.EqualTo(TrustListError.WrongType));
        });
    }

    [TestCase("""{"alg":"none","typ":"hc-federation+jwt"}""", FederationListError.AlgorithmNotAllowed)]
    [TestCase("""{"alg":"HS256","typ":"hc-federation+jwt"}""", FederationListError.AlgorithmNotAllowed)]
    [TestCase("""{"alg":"ES256"}""", FederationListError.WrongType)]
    [TestCase("""{"alg":"ES256","typ":"hc-federation+jwt","crit":["x"]}""", FederationListError.Malformed)]
    public void Verify_ChecksTheHeader(string header, FederationListError expected)
    {
        string jws = Crafted.Jws(header, Payload(MemberJson()), _anchor);

        Assert.That(Verify(jws).Error, Is.EqualTo(expected));
    }

    [Test]
    public void Verify_AcceptsACraftedValidPayload_SoTheBadMemberCasesTestOneRuleEach()
    {
        Assert.That(Verify(Crafted.Jws(Header, Payload(MemberJson()), _anchor)).IsValid, Is.True);
    }

    [TestCase("41000", "https://x.example/tl", "active", TestName = "Verify_RejectsMember_WithIssuerNotSixDigits")]
    [TestCase("4100001", "https://x.example/tl", "active", TestName = "Verify_RejectsMember_WithIssuerTooLong")]
    [TestCase("410000", "ftp://x.example/tl", "active", TestName = "Verify_RejectsMember_WithNonHttpUrl")]
    [TestCase("410000", "/.well-known/healthcode/trust-list", "active", TestName = "Verify_RejectsMember_WithRelativeUrl")]
    [TestCase("410000", "https://user:pw@x.example/tl", "active", TestName = "Verify_RejectsMember_WithUserInfoInUrl")]
    [TestCase("410000", "https://x.example/tl", "paused", TestName = "Verify_RejectsMember_WithUnknownStatus")]
    public void Verify_RejectsBadMember_AsMalformed(string iss, string url, string status)
    {
        string jws = Crafted.Jws(Header, Payload(MemberJson(iss, url, status)), _anchor);

        Assert.That(Verify(jws).Error, Is.EqualTo(FederationListError.Malformed));
    }

    [Test]
    public void Verify_RejectsTheSameIssuerTwice()
    {
        string members = MemberJson() + "," + MemberJson(rootKey: _zhejiangRoot.ToPublicJwk());

        Assert.That(Verify(Crafted.Jws(Header, Payload(members), _anchor)).Error, Is.EqualTo(FederationListError.Malformed));
    }

    [Test]
    public void Verify_RejectsAPrivateRootKey_InTheList()
    {
        string privateRoot = _p.Henan.Root.ToPrivateJwk();

        Assert.That(Verify(Crafted.Jws(Header, Payload(MemberJson(rootKey: privateRoot)), _anchor)).Error, Is.EqualTo(FederationListError.Malformed));
    }

    [Test]
    public void Verify_RejectsARootKeyThatIsNotP256()
    {
        const string hmacKey = """{"kty":"oct","k":"c2VjcmV0"}""";

        Assert.That(Verify(Crafted.Jws(Header, Payload(MemberJson(rootKey: hmacKey)), _anchor)).Error, Is.EqualTo(FederationListError.Malformed));
    }

    [Test]
    public void Sign_RefusesBadMembers()
    {
        FederationList sample = Sample();
        FederationMember henan = sample.Members[0];

        Assert.Multiple(() =>
        {
            Assert.That(() => FederationListCodec.Sign(sample with { Members = [henan with { Issuer = "henan" }] }, _anchor), Throws.ArgumentException);
            Assert.That(() => FederationListCodec.Sign(sample with { Members = [henan, henan with { RootKey = _zhejiangRoot }] }, _anchor), Throws.ArgumentException);
            Assert.That(() => FederationListCodec.Sign(sample with { Members = [henan with { TrustListUrl = "not a url" }] }, _anchor), Throws.ArgumentException);
            Assert.That(() => FederationListCodec.Sign(sample with { Members = [henan with { RootKey = _p.Henan.Root }] }, _anchor), Throws.ArgumentException,
                "a private root key never goes into a list");
            Assert.That(() => FederationListCodec.Sign(sample, _anchorPublic), Throws.ArgumentException);
        });
    }
}
