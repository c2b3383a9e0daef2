using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Sharing;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HealthCode.Trust.Tests;

/// <summary>Batch manifests (DESIGN §9, docs/BATCH-FORMAT.md): signed with the sample department keys, read by <see cref="BatchManifestReader"/>.</summary>
public sealed class BatchManifestTests
{
    private const string Source = "410000-CDC-002";
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(1);
    private static readonly string Digest = BatchManifest.Sha256Text(SHA256.HashData("idNumber,name,status,at\n"u8));

    private EcKey _cdc = null!;
    private EcKey _ga = null!;
    private FakeTimeProvider _time = null!;
    private BatchManifestReader _reader = null!;

    private static BatchManifest Manifest(DateTimeOffset? producedAt = null) => new(Source, "20200301T080000Z-0001", Digest, 1200, producedAt ?? Crafted.Now);

    private static string Header(string kid, string alg = "ES256", string typ = BatchManifestCodec.Type, string extra = "") =>
        $$"""{"alg":"{{alg}}","typ":"{{typ}}","kid":"{{kid}}"{{extra}}}""";

    private static string Payload(string source = Source, string batchId = "\"b-1\"", string? sha256 = null, string rows = "3", string? producedAt = null) =>
        $$"""{"source":"{{source}}","batchId":{{batchId}},"sha256":"{{sha256 ?? Digest}}","rows":{{rows}},"producedAt":{{producedAt ?? Crafted.Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)}}}""";

    [OneTimeSetUp]
    public void LoadSampleKeys()
    {
        _cdc = KeyFolder.LoadKey(Path.Combine(RepoPaths.KeysSample, "departments", "CDC"), "CDC");
        _ga = KeyFolder.LoadKey(Path.Combine(RepoPaths.KeysSample, "departments", "GA"), "GA");
    }

    [OneTimeTearDown]
    public void DisposeKeys()
    {
        _cdc.Dispose();
        _ga.Dispose();
    }

    [SetUp]
    public void StartClock()
    {
        _time = new FakeTimeProvider(Crafted.Now);
        _reader = new BatchManifestReader(_time, Skew, BatchManifestReader.DefaultMaxAge);
    }

    private Task<BatchManifestResult> Read(string? jws, EcKey? key = null, string? expectedSource = null) => _reader.ReadAsync(jws, key ?? _cdc, expectedSource);

    private async Task AssertRefused(string? jws, BatchManifestError expected, EcKey? key = null)
    {
        BatchManifestResult result = await Read(jws, key);
        Assert.That(result.IsValid ? "valid" : result.Error.Value.ToCode(), Is.EqualTo(expected.ToCode()), jws);
    }

    [Test]
    public async Task Manifest_RoundTrips_WhenSignedWithTheDepartmentsSampleKey()
    {
        BatchManifest manifest = Manifest();

        BatchManifestResult result = await Read(BatchManifestCodec.Sign(manifest, _cdc), expectedSource: Source);

        Assert.That(result.IsValid, Is.True, result.ToString());
        Assert.That(result.Manifest, Is.EqualTo(manifest));
    }

    [Test]
    public void Manifest_HasTheDocumentedHeaderAndPayload()
    {
        string[] parts = BatchManifestCodec.Sign(Manifest(), _cdc).Split('.');

        Assert.Multiple(() =>
        {
            Assert.That(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0])), Is.EqualTo($$"""{"alg":"ES256","typ":"hc-batch+jwt","kid":"{{_cdc.Kid}}"}"""));
            Assert.That(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])), Is.EqualTo(
                $$"""{"source":"410000-CDC-002","batchId":"20200301T080000Z-0001","sha256":"{{Digest}}","rows":1200,"producedAt":1583049600}"""));
            Assert.That(Base64Url.DecodeFromChars(parts[2]), Has.Length.EqualTo(64), "r‖s, RFC 7518 §3.4");
        });
    }

    [TestCase("", "b", 0, TestName = "Sign_Refuses_AnEmptySource")]
    [TestCase("410000/CDC", "b", 0, TestName = "Sign_Refuses_ASourceWithASlash")]
    [TestCase(Source, "", 0, TestName = "Sign_Refuses_AnEmptyBatchId")]
    [TestCase(Source, "b 1", 0, TestName = "Sign_Refuses_ABatchIdWithASpace")]
    [TestCase(Source, "b", -1, TestName = "Sign_Refuses_NegativeRows")]
    public void Sign_RefusesAManifestOutsideTheFormat(string source, string batchId, long rows)
    {
        Assert.That(() => BatchManifestCodec.Sign(new BatchManifest(source, batchId, Digest, rows, Crafted.Now), _cdc), Throws.ArgumentException);
    }

    [Test]
    public void Sign_Refuses_ABadDigest_ATooLongId_AndAPublicKey()
    {
        using EcKey publicOnly = EcKey.FromJwk(_cdc.ToPublicJwk());
        Assert.Multiple(() =>
        {
            Assert.That(() => BatchManifestCodec.Sign(Manifest() with { Sha256 = Digest[..42] }, _cdc), Throws.ArgumentException);
            Assert.That(() => BatchManifestCodec.Sign(Manifest() with { Sha256 = Digest + "=" }, _cdc), Throws.ArgumentException);
            Assert.That(() => BatchManifestCodec.Sign(Manifest() with { BatchId = new string('b', 65) }, _cdc), Throws.ArgumentException);
            Assert.That(() => BatchManifestCodec.Sign(Manifest(), publicOnly), Throws.ArgumentException);
        });
    }

    [Test]
    public async Task Read_AcceptsWithThePublicKeyAlone_AndSurroundingWhitespace()
    {
        using EcKey publicOnly = EcKey.FromJwk(_cdc.ToPublicJwk());

        BatchManifestResult result = await Read(" " + BatchManifestCodec.Sign(Manifest(), _cdc) + "\r\n", publicOnly);

        Assert.That(result.IsValid, Is.True, result.ToString());
    }

    // ---- the rules, in the documented order ----

    [Test]
    public async Task Read_RefusesMalformed()
    {
        string good = BatchManifestCodec.Sign(Manifest(), _cdc);
        string kid = _cdc.Kid;
        await AssertRefused(null, BatchManifestError.Malformed);
        await AssertRefused("", BatchManifestError.Malformed);
        await AssertRefused(good + new string('A', BatchManifestCodec.MaxLength), BatchManifestError.Malformed);
        await AssertRefused(string.Join('.', good.Split('.').Take(2)), BatchManifestError.Malformed);
        await AssertRefused(good + "." + good.Split('.')[2], BatchManifestError.Malformed);
        await AssertRefused(good + "==", BatchManifestError.Malformed);
        await AssertRefused(Crafted.Jws("""{"alg":"ES256","typ":"hc-batch+jwt"}""", Payload(), _cdc), BatchManifestError.Malformed);
        await AssertRefused(Crafted.Jws($$"""{"alg":"ES256","typ":"hc-batch+jwt","kid":7}""", Payload(), _cdc), BatchManifestError.Malformed);
        await AssertRefused(Crafted.Jws($$"""{"alg":"ES256","alg":"ES256","typ":"hc-batch+jwt","kid":"{{kid}}"}""", Payload(), _cdc), BatchManifestError.Malformed);
        // RFC 8725 §3.10: no key, key URL or certificate in a manifest's header, even with the right signature.
        await AssertRefused(Crafted.Jws(Header(kid, extra: $$""","jwk":{{_cdc.ToPublicJwk()}}"""), Payload(), _cdc), BatchManifestError.Malformed);
        await AssertRefused(Crafted.Jws(Header(kid, extra: ""","jku":"https://cdc.example/jwks" """), Payload(), _cdc), BatchManifestError.Malformed);
        await AssertRefused(Crafted.Jws(Header(kid, extra: ""","x5u":"https://cdc.example/cert" """), Payload(), _cdc), BatchManifestError.Malformed);
        await AssertRefused(Crafted.Jws(Header(kid, extra: ""","crit":["exp"]"""), Payload(), _cdc), BatchManifestError.Malformed);
    }

    [TestCase("none")]
    [TestCase("HS256")]
    [TestCase("ES384")]
    [TestCase("RS256")]
    [TestCase("es256")]
    public async Task Read_RefusesEveryAlgorithmButES256(string alg)
    {
        await AssertRefused(Crafted.Jws(Header(_cdc.Kid, alg), Payload(), _cdc), BatchManifestError.AlgorithmNotAllowed);
    }

    [Test]
    public async Task Read_RefusesAlgNone_WithoutASignature_AndHs256WithThePublicKeyAsSecret()
    {
        string payload = Crafted.B64(Payload());
        string none = Crafted.B64(Header(_cdc.Kid, "none")) + "." + payload + ".";
        string input = Crafted.B64(Header(_cdc.Kid, "HS256")) + "." + payload;
        string hs256 = input + "." + Base64Url.EncodeToString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(_cdc.ToPublicJwk()), Encoding.ASCII.GetBytes(input)));

        await AssertRefused(none, BatchManifestError.AlgorithmNotAllowed);
        await AssertRefused(hs256, BatchManifestError.AlgorithmNotAllowed);
    }

    [TestCase("hc+jwt")]
    [TestCase("hc-trust-list+jwt")]
    [TestCase("JWT")]
    [TestCase("HC-BATCH+JWT")]
    public async Task Read_RefusesEveryOtherType(string typ)
    {
        await AssertRefused(Crafted.Jws(Header(_cdc.Kid, typ: typ), Payload(), _cdc), BatchManifestError.WrongType);
    }

    [Test]
    public async Task Read_RefusesAnotherDepartmentsKid_EvenWithAValidSignatureOfThatDepartment()
    {
        // GA signs a batch for a CDC source with GA's own key: the kid is not CDC's.
        await AssertRefused(BatchManifestCodec.Sign(Manifest(), _ga), BatchManifestError.UnknownKey);
        // CDC's key, but named by GA's kid.
        await AssertRefused(Crafted.Jws(Header(_ga.Kid), Payload(), _cdc), BatchManifestError.UnknownKey);
    }

    [Test]
    public async Task Read_RefusesBadSignatures()
    {
        string good = BatchManifestCodec.Sign(Manifest(), _cdc);
        string[] parts = good.Split('.');
        byte[] flipped = Base64Url.DecodeFromChars(parts[2]);
        flipped[17] ^= 0x04;
        char last = parts[2][^1];
        char nonCanonical = (char)(last == 'A' ? 'B' : last - 1); // the last character's 4 unused bits made non-zero (or another value)

        await AssertRefused($"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString(flipped)}", BatchManifestError.BadSignature);
        await AssertRefused($"{parts[0]}.{Crafted.B64(Payload(rows: "4"))}.{parts[2]}", BatchManifestError.BadSignature);
        await AssertRefused(Crafted.Jws(Header(_cdc.Kid), Payload(), _cdc, DSASignatureFormat.Rfc3279DerSequence), BatchManifestError.BadSignature);
        await AssertRefused(Crafted.Jws(Header(_cdc.Kid), Payload(), _ga), BatchManifestError.BadSignature);
        await AssertRefused($"{parts[0]}.{parts[1]}.{parts[2][..^1]}{nonCanonical}", BatchManifestError.BadSignature);
        await AssertRefused($"{parts[0]}.{parts[1]}.", BatchManifestError.BadSignature);
    }

    [TestCase("""{"batchId":"b","sha256":"{D}","rows":1,"producedAt":{T}}""", TestName = "Read_RefusesClaims_WithoutSource")]
    [TestCase("""{"source":"410000-CDC-002","sha256":"{D}","rows":1,"producedAt":{T}}""", TestName = "Read_RefusesClaims_WithoutBatchId")]
    [TestCase("""{"source":"410000-CDC-002","batchId":"","sha256":"{D}","rows":1,"producedAt":{T}}""", TestName = "Read_RefusesClaims_WithAnEmptyBatchId")]
    [TestCase("""{"source":"410000-CDC-002","batchId":"a/b","sha256":"{D}","rows":1,"producedAt":{T}}""", TestName = "Read_RefusesClaims_WithABatchIdOutsideTheAlphabet")]
    [TestCase("""{"source":"410000-CDC-002","batchId":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","sha256":"{D}","rows":1,"producedAt":{T}}""", TestName = "Read_RefusesClaims_WithA65CharacterBatchId")]
    [TestCase("""{"source":"410000-CDC-002","batchId":7,"sha256":"{D}","rows":1,"producedAt":{T}}""", TestName = "Read_RefusesClaims_WithANumericBatchId")]
    [TestCase("""{"source":"410000-CDC-002","batchId":"b","rows":1,"producedAt":{T}}""", TestName = "Read_RefusesClaims_WithoutSha256")]
    [TestCase("""{"source":"410000-CDC-002","batchId":"b","sha256":"{D}=","rows":1,"producedAt":{T}}""", TestName = "Read_RefusesClaims_WithAPaddedSha256")]
    [TestCase("""{"source":"410000-CDC-002","batchId":"b","sha256":"abc","rows":1,"producedAt":{T}}""", TestName = "Read_RefusesClaims_WithAShortSha256")]
    [TestCase("""{"source":"410000-CDC-002","batchId":"b","sha256":"{D}","producedAt":{T}}""", TestName = "Read_RefusesClaims_WithoutRows")]
    [TestCase("""{"source":"410000-CDC-002","batchId":"b","sha256":"{D}","rows":-1,"producedAt":{T}}""", TestName = "Read_RefusesClaims_WithNegativeRows")]
    [TestCase("""{"source":"410000-CDC-002","batchId":"b","sha256":"{D}","rows":1.5,"producedAt":{T}}""", TestName = "Read_RefusesClaims_WithFractionalRows")]
    [TestCase("""{"source":"410000-CDC-002","batchId":"b","sha256":"{D}","rows":"1","producedAt":{T}}""", TestName = "Read_RefusesClaims_WithRowsAsAString")]
    [TestCase("""{"source":"410000-CDC-002","batchId":"b","sha256":"{D}","rows":1}""", TestName = "Read_RefusesClaims_WithoutProducedAt")]
    [TestCase("""{"source":"410000-CDC-002","batchId":"b","sha256":"{D}","rows":1,"producedAt":"2020-03-01T08:00:00Z"}""", TestName = "Read_RefusesClaims_WithProducedAtAsAString")]
    [TestCase("""{"source":"410000-CDC-002","batchId":"b","sha256":"{D}","rows":1,"producedAt":{T}.5}""", TestName = "Read_RefusesClaims_WithAFractionalProducedAt")]
    [TestCase("""{"source":"410000-CDC-002","source":"410000-CDC-002","batchId":"b","sha256":"{D}","rows":1,"producedAt":{T}}""", TestName = "Read_RefusesClaims_WithAClaimTwice")]
    [TestCase("""["source"]""", TestName = "Read_RefusesClaims_ThatAreNotAnObject")]
    public async Task Read_RefusesInvalidClaims(string payload)
    {
        string json = payload.Replace("{D}", Digest, StringComparison.Ordinal)
            .Replace("{T}", Crafted.Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        await AssertRefused(Crafted.Jws(Header(_cdc.Kid), json, _cdc), BatchManifestError.InvalidClaims);
    }

    [Test]
    public async Task Read_IgnoresClaimsItDoesNotKnow()
    {
        string json = Payload()[..^1] + ""","note":{"x":[1,2]}}""";

        Assert.That((await Read(Crafted.Jws(Header(_cdc.Kid), json, _cdc))).IsValid, Is.True);
    }

    [Test]
    public async Task Read_RefusesAManifestForAnotherSource_WhenTheSourceIsGiven()
    {
        string jws = BatchManifestCodec.Sign(Manifest(), _cdc);

        BatchManifestResult result = await Read(jws, expectedSource: "410000-CDC-003");

        Assert.That(result.Error, Is.EqualTo(BatchManifestError.SourceMismatch));
    }

    [Test]
    public async Task Read_AppliesTheClockSkew_AndTheMaximumAge_OnTheInjectedClock()
    {
        async Task<string> At(TimeSpan producedAfterNow) =>
            (await Read(BatchManifestCodec.Sign(Manifest(Crafted.Now + producedAfterNow), _cdc))).ToString();

        string aheadWithinSkew = await At(Skew);
        string aheadBeyondSkew = await At(Skew + TimeSpan.FromSeconds(1));
        string oldest = await At(-BatchManifestReader.DefaultMaxAge - Skew);
        string tooOld = await At(-BatchManifestReader.DefaultMaxAge - Skew - TimeSpan.FromSeconds(1));

        Assert.Multiple(() =>
        {
            Assert.That(aheadWithinSkew, Does.StartWith("valid"), "produced within the skew ahead");
            Assert.That(aheadBeyondSkew, Is.EqualTo("manifest_not_yet_valid"));
            Assert.That(oldest, Does.StartWith("valid"), "as old as allowed");
            Assert.That(tooOld, Is.EqualTo("manifest_expired"));
        });
    }

    [Test]
    public void Reader_RefusesASkewOrAMaximumAgeOutOfRange()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new BatchManifestReader(_time, TimeSpan.FromMinutes(6), BatchManifestReader.DefaultMaxAge), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => new BatchManifestReader(_time, -TimeSpan.FromSeconds(1), BatchManifestReader.DefaultMaxAge), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => new BatchManifestReader(_time, Skew, TimeSpan.Zero), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => new BatchManifestReader(_time, Skew, TimeSpan.FromDays(367)), Throws.InstanceOf<ArgumentOutOfRangeException>());
        });
    }

    [Test]
    public void ErrorCodes_AreStableAndPrefixed()
    {
        Assert.That(Enum.GetValues<BatchManifestError>().Select(e => e.ToCode()), Is.EqualTo(new[]
        {
            "manifest_malformed", "manifest_algorithm_not_allowed", "manifest_wrong_type", "manifest_unknown_key", "manifest_bad_signature",
            "manifest_invalid_claims", "manifest_source_mismatch", "manifest_not_yet_valid", "manifest_expired",
        }));
    }

    // ---- the handler alone, with the reader's parameters ----

    private Task<TokenValidationResult> HandlerAlone(string jws)
    {
        var key = new ECDsaSecurityKey(_cdc.Ecdsa) { KeyId = _cdc.Kid, CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false } };
        return BatchManifestReader.Handler.ValidateTokenAsync(jws, _reader.Parameters(key, _time.GetUtcNow()));
    }

    [Test]
    public async Task HandlerAlone_AcceptsAGoodManifest_AndRefusesNoneHs256JwkDerAnotherKeyAndAnotherKid()
    {
        string payload = Crafted.B64(Payload());
        string input = Crafted.B64(Header(_cdc.Kid, "HS256")) + "." + payload;
        string[] forged =
        [
            Crafted.B64(Header(_cdc.Kid, "none")) + "." + payload + ".",
            input + "." + Base64Url.EncodeToString(HMACSHA256.HashData(_cdc.Ecdsa.ExportSubjectPublicKeyInfo(), Encoding.ASCII.GetBytes(input))),
            Crafted.Jws(Header(_cdc.Kid, extra: $$""","jwk":{{_ga.ToPublicJwk()}}"""), Payload(), _ga),
            Crafted.Jws(Header(_cdc.Kid), Payload(), _cdc, DSASignatureFormat.Rfc3279DerSequence),
            Crafted.Jws(Header(_cdc.Kid), Payload(), _ga),
            Crafted.Jws(Header(_ga.Kid), Payload(), _ga),
            Crafted.Jws(Header(_cdc.Kid, typ: "JWT"), Payload(), _cdc),
            Crafted.Jws(Header(_cdc.Kid), Payload(producedAt: (Crafted.Now.ToUnixTimeSeconds() + 3600).ToString(System.Globalization.CultureInfo.InvariantCulture)), _cdc),
            BatchManifestCodec.Sign(Manifest(), _cdc) + ".e30",
            new string('A', BatchManifestCodec.MaxLength + 1),
        ];

        Assert.That((await HandlerAlone(BatchManifestCodec.Sign(Manifest(), _cdc))).IsValid, Is.True);
        var accepted = new List<string>();
        foreach (string jws in forged)
        {
            if ((await HandlerAlone(jws)).IsValid)
            {
                accepted.Add(jws);
            }
        }

        Assert.That(accepted, Is.Empty);
    }

    /// <summary>
    /// What the differential testing found: the handler alone takes a padded signature segment and ignores <c>crit</c>,
    /// <c>jku</c> and a member twice (the last wins). None is a forgery (the signature is the department's), but each is a
    /// second spelling of a manifest or an extension nobody checked, so the reader's own rules refuse them first
    /// (docs/BATCH-FORMAT.md §6).
    /// </summary>
    [Test]
    public async Task HandlerAlone_AcceptsWhatTheKernelRulesRefuse_WhichIsWhyTheReaderRunsThemFirst()
    {
        string good = BatchManifestCodec.Sign(Manifest(), _cdc);
        string[] lenient =
        [
            good + "==",
            Crafted.Jws(Header(_cdc.Kid, extra: ""","crit":["exp"]"""), Payload(), _cdc),
            Crafted.Jws(Header(_cdc.Kid, extra: ""","jku":"https://cdc.example/jwks" """), Payload(), _cdc),
        ];

        foreach (string jws in lenient)
        {
            Assert.That((await HandlerAlone(jws)).IsValid, Is.True, "the handler alone: " + jws);
            Assert.That((await Read(jws)).IsValid, Is.False, "the reader: " + jws);
        }
    }
}
