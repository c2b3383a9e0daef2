using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using HealthCode.Trust.Keys;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;

namespace HealthCode.Trust.Tests;

public sealed class TrustListCodecTests
{
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(1);

    private SampleProvinces _p = null!;

    [OneTimeSetUp]
    public void LoadSampleKeys() => _p = new SampleProvinces();

    [OneTimeTearDown]
    public void DisposeKeys() => _p.Dispose();

    private string ZhejiangListJws(long seq = 5, TimeSpan? lifetime = null) =>
        TrustListCodec.Sign(SampleProvinces.ListOf(_p.Zhejiang, "330000", "浙江省", seq, lifetime), _p.Zhejiang.Root);

    private TrustListResult VerifyZhejiang(string jws, long? heldSeq = null, DateTimeOffset? now = null) =>
        TrustListCodec.Verify(jws, _p.Zhejiang.Root, "330000", heldSeq, now ?? Crafted.Now, Skew);

    /// <summary>A list JWS with any header and payload, signed by the Zhejiang root (what a buggy or hostile signer could publish).</summary>
    private string CraftedList(string header, string payload) => Crafted.Jws(header, payload, _p.Zhejiang.Root);

    private static string ListPayload(string keysJson, string iss = "330000", long seq = 5) =>
        $$$"""{"iss":"{{{iss}}}","name":"浙江省","seq":{{{seq}}},"iat":{{{Crafted.Now.ToUnixTimeSeconds()}}},"exp":{{{Crafted.Now.AddDays(7).ToUnixTimeSeconds()}}},"keys":{"keys":[{{{keysJson}}}]}}""";

    private const string ListHeader = """{"alg":"ES256","typ":"hc-trust-list+jwt"}""";

    [Test]
    public void TrustList_RoundTrips_WhenSignedWithSampleRoot()
    {
        DateTimeOffset notBefore = Crafted.Now.AddDays(-30);
        DateTimeOffset notAfter = Crafted.Now.AddDays(30);
        TrustList list = new("330000", "浙江省", 42, Crafted.Now, Crafted.Now.AddDays(7),
        [
            new TrustListKey(_p.Zhejiang.ActiveIssuer, KeyStatus.Active, notBefore, notAfter),
            new TrustListKey(_p.Henan.ActiveIssuer, KeyStatus.Retired, null, null),
            new TrustListKey(_p.Guangdong.ActiveIssuer, KeyStatus.Revoked, null, notAfter),
        ]);

        string jws = TrustListCodec.Sign(list, _p.Zhejiang.Root);
        TrustListResult result = VerifyZhejiang(jws);

        Assert.That(result.IsValid, Is.True, result.ToString());
        TrustList read = result.List!;
        Assert.Multiple(() =>
        {
            Assert.That((read.Issuer, read.Name, read.Seq, read.IssuedAt, read.ExpiresAt),
                Is.EqualTo((list.Issuer, list.Name, list.Seq, list.IssuedAt, list.ExpiresAt)));
            Assert.That(read.Keys.Select(k => (k.Key.Thumbprint, k.Status, k.NotBefore, k.NotAfter)),
                Is.EqualTo(list.Keys.Select(k => (k.Key.Thumbprint, k.Status, k.NotBefore, k.NotAfter))));
            Assert.That(read.Keys.All(k => !k.Key.HasPrivateKey), Is.True);
        });
    }

    [Test]
    public void TrustList_HasDocumentedHeaderAndPayload()
    {
        string[] parts = ZhejiangListJws().Split('.');
        string header = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0]));
        string payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1]));

        Assert.Multiple(() =>
        {
            Assert.That(header, Is.EqualTo($$"""{"alg":"ES256","typ":"hc-trust-list+jwt","kid":"{{_p.Zhejiang.Root.Kid}}"}"""));
            Assert.That(payload, Does.StartWith("""{"iss":"330000","name":"浙江省","seq":5,"iat":"""));
            Assert.That(payload, Does.Contain("""
                "keys":{"keys":[{"kty":"EC","crv":"P-256","x":
                """.Trim()));
            Assert.That(payload, Does.Contain($$"""
                "kid":"{{_p.Zhejiang.ActiveIssuer.Kid}}","alg":"ES256","use":"sig","status":"active"}
                """.Trim()));
            Assert.That(Base64Url.DecodeFromChars(parts[2]), Has.Length.EqualTo(64));
        });
    }

    [Test]
    public void TrustList_IsRejected_WhenSignedByAnotherRoot()
    {
        string jws = TrustListCodec.Sign(SampleProvinces.ListOf(_p.Zhejiang, "330000", "浙江省"), _p.Henan.Root);

        Assert.That(VerifyZhejiang(jws).Error, Is.EqualTo(TrustListError.BadSignature));
    }

    [Test]
    public void TrustList_IsRejected_WhenPayloadTampered()
    {
        string[] parts = ZhejiangListJws(seq: 5).Split('.');
        string payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("\"seq\":5", "\"seq\":9", StringComparison.Ordinal);
        string tampered = parts[0] + "." + Crafted.B64(payload) + "." + parts[2];

        Assert.That(VerifyZhejiang(tampered).Error, Is.EqualTo(TrustListError.BadSignature));
    }

    [Test]
    public void TrustList_IsRejected_WhenSignatureTampered()
    {
        string jws = ZhejiangListJws();
        char last = jws[^2] == 'A' ? 'B' : 'A';
        string tampered = jws[..^2] + last + jws[^1];

        Assert.That(VerifyZhejiang(tampered).Error, Is.EqualTo(TrustListError.BadSignature));
    }

    [Test]
    public void TrustList_IsRejected_WhenSignatureIsDer()
    {
        string jws = Crafted.Jws(ListHeader, ListPayload(string.Empty), _p.Zhejiang.Root, DSASignatureFormat.Rfc3279DerSequence);

        Assert.That(VerifyZhejiang(jws).Error, Is.EqualTo(TrustListError.BadSignature));
    }

    [Test]
    public void TrustList_IsRejected_WhenSeqLowerThanHeld()
    {
        Assert.That(VerifyZhejiang(ZhejiangListJws(seq: 5), heldSeq: 6).Error, Is.EqualTo(TrustListError.Rollback));
    }

    [Test]
    public void TrustList_IsAccepted_WhenSeqEqualsHeld_IdempotentRefetch()
    {
        Assert.That(VerifyZhejiang(ZhejiangListJws(seq: 5), heldSeq: 5).IsValid, Is.True);
    }

    [Test]
    public void TrustList_IsRejected_WhenExpired()
    {
        string jws = ZhejiangListJws(lifetime: TimeSpan.FromHours(1));

        Assert.Multiple(() =>
        {
            Assert.That(VerifyZhejiang(jws, now: Crafted.Now.AddHours(1) + Skew).Error, Is.EqualTo(TrustListError.Expired));
            Assert.That(VerifyZhejiang(jws, now: Crafted.Now.AddHours(1) + Skew - TimeSpan.FromSeconds(1)).IsValid, Is.True, "within the skew");
        });
    }

    [Test]
    public void TrustList_IsRejected_WhenIssuerDoesNotMatch()
    {
        // Zhejiang's root signs a list claiming to be Henan's: pinned to the wrong province, it must not pass.
        string jws = TrustListCodec.Sign(SampleProvinces.ListOf(_p.Henan, "410000", "河南省"), _p.Zhejiang.Root);

        Assert.That(VerifyZhejiang(jws).Error, Is.EqualTo(TrustListError.IssuerMismatch));
    }

    [TestCase("""{"alg":"ES256","typ":"hc+jwt"}""", TestName = "TrustList_IsRejected_WhenTypIsHealthCode")]
    [TestCase("""{"alg":"ES256","typ":"hc-federation+jwt"}""", TestName = "TrustList_IsRejected_WhenTypIsFederationList")]
    [TestCase("""{"alg":"ES256","typ":"HC-TRUST-LIST+JWT"}""", TestName = "TrustList_IsRejected_WhenTypHasOtherCase")]
    [TestCase("""{"alg":"ES256"}""", TestName = "TrustList_IsRejected_WhenTypMissing")]
    [TestCase("""{"alg":"ES256","typ":7}""", TestName = "TrustList_IsRejected_WhenTypNotAString")]
    public void TrustList_IsRejected_AsWrongType(string header)
    {
        Assert.That(VerifyZhejiang(CraftedList(header, ListPayload(string.Empty))).Error, Is.EqualTo(TrustListError.WrongType));
    }

    [Test]
    public void TrustList_IsRejected_WhenAlgNone()
    {
        string jws = Crafted.B64("""{"alg":"none","typ":"hc-trust-list+jwt"}""") + "." + Crafted.B64(ListPayload(string.Empty)) + ".";

        Assert.That(VerifyZhejiang(jws).Error, Is.EqualTo(TrustListError.AlgorithmNotAllowed));
    }

    [Test]
    public void TrustList_IsRejected_WhenHs256KeyedWithRootPublicKey()
    {
        string input = Crafted.B64("""{"alg":"HS256","typ":"hc-trust-list+jwt"}""") + "." + Crafted.B64(ListPayload(string.Empty));
        byte[] mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(_p.Zhejiang.Root.ToPublicJwk()), Encoding.ASCII.GetBytes(input));
        string jws = input + "." + Base64Url.EncodeToString(mac);

        Assert.That(VerifyZhejiang(jws).Error, Is.EqualTo(TrustListError.AlgorithmNotAllowed));
    }

    [TestCase("", TestName = "TrustList_IsRejected_WhenEmpty")]
    [TestCase("not a jws", TestName = "TrustList_IsRejected_WhenNotAJws")]
    [TestCase("a.b", TestName = "TrustList_IsRejected_WhenTwoSegments")]
    [TestCase("a.b.c.d", TestName = "TrustList_IsRejected_WhenFourSegments")]
    [TestCase("eyJ9.e30.AA", TestName = "TrustList_IsRejected_WhenHeaderNotJson")]
    [TestCase("W10.e30.AA", TestName = "TrustList_IsRejected_WhenHeaderIsArray")]
    [TestCase("e30=.e30.AA", TestName = "TrustList_IsRejected_WhenPadded")]
    public void TrustList_IsRejected_AsMalformed(string jws)
    {
        Assert.That(VerifyZhejiang(jws).Error, Is.EqualTo(TrustListError.Malformed));
    }

    [Test]
    public void TrustList_IsRejected_WhenLargerThanBound_WithoutParsing()
    {
        string valid = ZhejiangListJws();
        string huge = valid + new string(' ', TrustListCodec.MaxLength - valid.Length + 1); // valid once trimmed

        Assert.That(VerifyZhejiang(huge).Error, Is.EqualTo(TrustListError.Malformed));
    }

    [Test]
    public void TrustList_IsRejected_WhenHeaderHasCrit()
    {
        string jws = CraftedList("""{"alg":"ES256","typ":"hc-trust-list+jwt","crit":["exp"]}""", ListPayload(string.Empty));

        Assert.That(VerifyZhejiang(jws).Error, Is.EqualTo(TrustListError.Malformed));
    }

    [Test]
    public void TrustList_IsRejected_WhenSignedPayloadHasDuplicateClaim()
    {
        string payload = ListPayload(string.Empty).Replace("\"seq\":5", "\"seq\":5,\"seq\":99", StringComparison.Ordinal);

        Assert.That(VerifyZhejiang(CraftedList(ListHeader, payload)).Error, Is.EqualTo(TrustListError.Malformed));
    }

    [Test]
    public void TrustList_IsRejected_WhenAKeyCarriesItsPrivatePart()
    {
        string jwk = _p.Zhejiang.ActiveIssuer.ToPrivateJwk().TrimEnd('}') + ",\"status\":\"active\"}";

        Assert.That(VerifyZhejiang(CraftedList(ListHeader, ListPayload(jwk))).Error, Is.EqualTo(TrustListError.Malformed));
    }

    [TestCase("\"status\":\"suspended\"", TestName = "TrustList_IsRejected_WhenKeyStatusUnknown")]
    [TestCase("\"nbf\":\"soon\",\"status\":\"active\"", TestName = "TrustList_IsRejected_WhenKeyNbfNotANumber")]
    [TestCase("\"foo\":1", TestName = "TrustList_IsRejected_WhenKeyStatusMissing")]
    public void TrustList_IsRejected_WhenAKeyIsNotAsDocumented(string members)
    {
        string jwk = _p.Zhejiang.ActiveIssuer.ToPublicJwk().TrimEnd('}') + "," + members + "}";

        Assert.That(VerifyZhejiang(CraftedList(ListHeader, ListPayload(jwk))).Error, Is.EqualTo(TrustListError.Malformed));
    }

    [Test]
    public void TrustList_IsRejected_WhenKeyKidIsNotDerivedFromKey()
    {
        string jwk = _p.Zhejiang.ActiveIssuer.ToPublicJwk()
            .Replace(_p.Zhejiang.ActiveIssuer.Kid, _p.Henan.ActiveIssuer.Kid, StringComparison.Ordinal).TrimEnd('}') + ",\"status\":\"active\"}";

        Assert.That(VerifyZhejiang(CraftedList(ListHeader, ListPayload(jwk))).Error, Is.EqualTo(TrustListError.Malformed));
    }

    [Test]
    public void Sign_Refuses_RootWithoutPrivateKey()
    {
        using EcKey publicRoot = EcKey.FromJwk(_p.Zhejiang.Root.ToPublicJwk());

        Assert.Throws<ArgumentException>(() => TrustListCodec.Sign(SampleProvinces.ListOf(_p.Zhejiang, "330000", "浙江省"), publicRoot));
    }

    [Test]
    public void TrustListErrors_HaveStableCodes()
    {
        Assert.That(Enum.GetValues<TrustListError>().Select(e => e.ToCode()), Is.EqualTo(new[]
        {
            "malformed", "algorithm_not_allowed", "wrong_type", "bad_signature", "issuer_mismatch", "rollback", "expired",
        }));
    }
}

public sealed class EcKeyCoordinateTests
{
    [Test]
    public void FromJwk_ThrowsInvalidKey_NotFormatException_WhenCoordinateHasImpossibleLength()
    {
        using var key = EcKey.Generate();
        string jwk = System.Text.RegularExpressions.Regex.Replace(key.ToPublicJwk(), "\"x\":\"[^\"]+\"", "\"x\":\"" + new string('A', 45) + "\"");

        Assert.Throws<InvalidKeyException>(() => EcKey.FromJwk(jwk));
    }

    [Test]
    public void FromJwk_ThrowsInvalidKey_NotFormatException_WhenTheLastCharacterHasUnusedBitsSet()
    {
        // 43 characters carry 258 bits for 32 bytes: the last character's two low bits must be zero ('7' has them set).
        // The fuzz test found this one as a 500 from POST /api/v1/admin/partners.
        using var key = EcKey.Generate();
        string jwk = System.Text.RegularExpressions.Regex.Replace(key.ToPublicJwk(), "\"x\":\"[^\"]+\"", "\"x\":\"QJ0KtPYGEGen-Pgq0ErpkW0Ao0v7O2aolj1Vv7MBEi7\"");

        Assert.Throws<InvalidKeyException>(() => EcKey.FromJwk(jwk));
    }
}
