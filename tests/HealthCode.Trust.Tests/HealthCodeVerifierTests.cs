using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Tokens;
using HealthCode.Trust.Verification;
using Microsoft.Extensions.Time.Testing;

namespace HealthCode.Trust.Tests;

public sealed class HealthCodeVerifierTests
{
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);

    private static readonly string[] DesignErrorCodes =
    [
        "malformed", "unsupported_format", "unknown_issuer", "unknown_key", "key_revoked", "bad_signature",
        "algorithm_not_allowed", "wrong_type", "expired", "not_yet_valid", "code_revoked", "trust_list_stale",
    ];

    private ProvinceKeys _henan = null!;
    private ProvinceKeys _zhejiang = null!;
    private FakeTimeProvider _time = null!;
    private InMemoryIssuerKeys _trusted = null!;
    private HealthCodeVerifier _verifier = null!;

    private EcKey Issuer => _henan.ActiveIssuer;

    private string Kid => _henan.ActiveIssuer.Kid;

    [OneTimeSetUp]
    public void LoadSampleKeys()
    {
        _henan = ProvinceKeys.Load(RepoPaths.Province("410000"));
        _zhejiang = ProvinceKeys.Load(RepoPaths.Province("330000"));
    }

    [OneTimeTearDown]
    public void DisposeKeys()
    {
        _henan.Dispose();
        _zhejiang.Dispose();
    }

    [SetUp]
    public void TrustHenanAndZhejiang()
    {
        _time = new FakeTimeProvider(Crafted.Now);
        _trusted = new InMemoryIssuerKeys();
        _trusted.Add("410000", Issuer, KeyStatus.Active);
        _trusted.Add("330000", _zhejiang.ActiveIssuer, KeyStatus.Active);
        _verifier = new HealthCodeVerifier(_trusted, _time, Skew);
    }

    // ---- the happy path ----

    [Test]
    public void Verify_Accepts_CodeSignedWithSampleKey_RoundTrip()
    {
        HealthCodeClaims claims = Crafted.Claims();
        string qr = new HealthCodeSigner(Issuer).SignQr(claims);

        VerificationResult result = _verifier.Verify(qr);

        Assert.Multiple(() =>
        {
            Assert.That(result.IsValid, Is.True, result.ToString());
            Assert.That(result.Error, Is.Null);
            Assert.That(result.Claims, Is.EqualTo(claims));
            Assert.That(result.Key!.Key, Is.SameAs(Issuer));
        });
    }

    [Test]
    public void Verify_Accepts_PartnerProvinceCode()
    {
        string qr = new HealthCodeSigner(_zhejiang.ActiveIssuer).SignQr(Crafted.Claims("330000") with { Color = CodeColor.Red });

        VerificationResult result = _verifier.Verify(qr);

        Assert.That(result.Claims?.Color, Is.EqualTo(CodeColor.Red));
    }

    [Test]
    public void Verify_Accepts_JwsEncodedAndDecodedSeparately()
    {
        string jws = new HealthCodeSigner(Issuer).Sign(Crafted.Claims());
        Assert.That(QrText.TryDecode(QrText.Encode(jws), out string decoded), Is.True);

        Assert.That(_verifier.Verify(QrText.Encode(decoded)).IsValid, Is.True);
    }

    [TestCase("\r\n")]
    [TestCase("\n")]
    [TestCase(" ")]
    public void Verify_Accepts_ScanGunLineEnding(string ending)
    {
        string qr = new HealthCodeSigner(Issuer).SignQr(Crafted.Claims());

        Assert.That(_verifier.Verify(qr + ending).IsValid, Is.True);
    }

    [Test]
    public void Verify_Accepts_UnknownExtraClaims()
    {
        string qr = Crafted.Qr(Crafted.Header(Kid), Crafted.Payload(extra: ""","x":{"y":[1,2]}"""), Issuer);

        Assert.That(_verifier.Verify(qr).IsValid, Is.True);
    }

    // ---- input shape ----

    [TestCase("", TestName = "Verify_Rejects_Empty")]
    [TestCase("   \t\r\n", TestName = "Verify_Rejects_Whitespace")]
    [TestCase("HC1:/", TestName = "Verify_Rejects_PrefixOnly")]
    [TestCase("HC1:/0001a3", TestName = "Verify_Rejects_NonDigit")]
    [TestCase("HC1:/00010", TestName = "Verify_Rejects_OddLength")]
    [TestCase("HC1:/0178", TestName = "Verify_Rejects_PairOutOfRange")]
    [TestCase("HC1:/٠١٢٣", TestName = "Verify_Rejects_ArabicIndicDigits")]
    [TestCase("HC1:/０１２３", TestName = "Verify_Rejects_FullWidthDigits")]
    [TestCase("HC1:/\u0000\u0000", TestName = "Verify_Rejects_NulCharacters")]
    [TestCase("HC1:/🟩健康码\uFFFD", TestName = "Verify_Rejects_UnicodeJunk")]
    [TestCase("HC1:/0303", TestName = "Verify_Rejects_NotAJws")]
    public void Verify_Rejects_AsMalformed(string qrText)
    {
        Assert.That(_verifier.Verify(qrText).Error, Is.EqualTo(VerificationError.Malformed));
    }

    [Test]
    public void Verify_Rejects_Null_AsMalformed()
    {
        Assert.That(_verifier.Verify(null!).Error, Is.EqualTo(VerificationError.Malformed));
    }

    [Test]
    public void Verify_Rejects_InputOver4096Characters_WithoutParsing()
    {
        string valid = new HealthCodeSigner(Issuer).SignQr(Crafted.Claims());
        string padded = valid + new string(' ', QrText.MaxLength - valid.Length + 1); // would be valid once trimmed

        Assert.That(_verifier.Verify(padded).Error, Is.EqualTo(VerificationError.Malformed));
    }

    [TestCase("健康码", TestName = "Verify_Rejects_UnicodeWithoutPrefix")]
    [TestCase("https://example.org/code/123", TestName = "Verify_Rejects_Url")]
    [TestCase("hc1:/0001", TestName = "Verify_Rejects_LowercasePrefix")]
    [TestCase("HC2:/0001", TestName = "Verify_Rejects_FutureVersionPrefix")]
    [TestCase("shc:/5676290952432060346029243740", TestName = "Verify_Rejects_SmartHealthCard")]
    public void Verify_Rejects_AsUnsupportedFormat(string qrText)
    {
        Assert.That(_verifier.Verify(qrText).Error, Is.EqualTo(VerificationError.UnsupportedFormat));
    }

    [Test]
    public void Verify_Rejects_BareJwsWithoutPrefix()
    {
        string jws = new HealthCodeSigner(Issuer).Sign(Crafted.Claims());

        Assert.That(_verifier.Verify(jws).Error, Is.EqualTo(VerificationError.UnsupportedFormat));
    }

    [Test]
    public void Verify_Rejects_JwsWithFourSegments()
    {
        string jws = new HealthCodeSigner(Issuer).Sign(Crafted.Claims());

        Assert.That(_verifier.Verify(QrText.Encode(jws + ".AAAA")).Error, Is.EqualTo(VerificationError.Malformed));
    }

    [Test]
    public void Verify_Rejects_PaddedSegment()
    {
        string[] parts = Crafted.Segments(new HealthCodeSigner(Issuer).SignQr(Crafted.Claims()));

        string qr = Crafted.UncheckedQr(parts[0] + "==." + parts[1] + "." + parts[2]);

        Assert.That(_verifier.Verify(qr).Error, Is.EqualTo(VerificationError.Malformed));
    }

    // ---- header rules ----

    [TestCase("none")]
    [TestCase("None")]
    [TestCase("es256")]
    [TestCase("ES384")]
    [TestCase("ES256K")]
    [TestCase("EdDSA")]
    public void Verify_Rejects_WhenAlgIsNotEs256(string alg)
    {
        string qr = Crafted.Qr(Crafted.Header(Kid, alg), Crafted.Payload(), Issuer);

        Assert.That(_verifier.Verify(qr).Error, Is.EqualTo(VerificationError.AlgorithmNotAllowed));
    }

    [Test]
    public void Verify_Rejects_WhenAlgIsNone()
    {
        // RFC 7518 §3.6: an unsecured JWS has an empty signature.
        string qr = QrText.Encode(Crafted.B64(Crafted.Header(Kid, "none")) + "." + Crafted.B64(Crafted.Payload()) + ".");

        Assert.That(_verifier.Verify(qr).Error, Is.EqualTo(VerificationError.AlgorithmNotAllowed));
    }

    [Test]
    public void Verify_Rejects_WhenAlgIsHs256_KeyedWithThePublicKey()
    {
        // The classic key-confusion attack: HMAC keyed with the verifier's public key, which anyone has.
        string input = Crafted.B64(Crafted.Header(Kid, "HS256")) + "." + Crafted.B64(Crafted.Payload());
        byte[] mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Issuer.ToPublicJwk()), Encoding.ASCII.GetBytes(input));

        string qr = QrText.Encode(input + "." + Base64Url.EncodeToString(mac));

        Assert.That(_verifier.Verify(qr).Error, Is.EqualTo(VerificationError.AlgorithmNotAllowed));
    }

    [Test]
    public void Verify_Rejects_WhenAlgIsRs256()
    {
        using var rsa = RSA.Create(2048);
        string input = Crafted.B64(Crafted.Header(Kid, "RS256")) + "." + Crafted.B64(Crafted.Payload());
        byte[] signature = rsa.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        string qr = QrText.Encode(input + "." + Base64Url.EncodeToString(signature));

        Assert.That(_verifier.Verify(qr).Error, Is.EqualTo(VerificationError.AlgorithmNotAllowed));
    }

    [Test]
    public void Verify_Rejects_WhenAlgIsMissing()
    {
        string qr = Crafted.Qr($$"""{"typ":"hc+jwt","kid":"{{Kid}}"}""", Crafted.Payload(), Issuer);

        Assert.That(_verifier.Verify(qr).Error, Is.EqualTo(VerificationError.Malformed));
    }

    [Test]
    public void Verify_Rejects_WhenAlgAppearsTwice()
    {
        string qr = Crafted.Qr($$"""{"alg":"ES256","typ":"hc+jwt","kid":"{{Kid}}","alg":"none"}""", Crafted.Payload(), Issuer);

        Assert.That(_verifier.Verify(qr).Error, Is.EqualTo(VerificationError.Malformed));
    }

    [TestCase("JWT")]
    [TestCase("hc-trust-list+jwt")]
    [TestCase("hc-federation+jwt")]
    [TestCase("HC+JWT")]
    [TestCase("application/hc+jwt")]
    public void Verify_Rejects_WhenTypIsWrong(string typ)
    {
        string qr = Crafted.Qr(Crafted.Header(Kid, typ: typ), Crafted.Payload(), Issuer);

        Assert.That(_verifier.Verify(qr).Error, Is.EqualTo(VerificationError.WrongType));
    }

    [Test]
    public void Verify_Rejects_WhenTypIsMissing()
    {
        string qr = Crafted.Qr($$"""{"alg":"ES256","kid":"{{Kid}}"}""", Crafted.Payload(), Issuer);

        Assert.That(_verifier.Verify(qr).Error, Is.EqualTo(VerificationError.WrongType));
    }

    [Test]
    public void Verify_Rejects_WhenHeaderHasCrit()
    {
        string qr = Crafted.Qr($$"""{"alg":"ES256","typ":"hc+jwt","kid":"{{Kid}}","crit":["exp"]}""", Crafted.Payload(), Issuer);

        Assert.That(_verifier.Verify(qr).Error, Is.EqualTo(VerificationError.Malformed));
    }

    [Test]
    public void Verify_IgnoresEmbeddedJwk_AndUsesOnlyTrustedKeys()
    {
        // RFC 8725 §3.10: a key carried in the token itself is never trusted.
        using EcKey attacker = EcKey.Generate();
        string header = $$"""{"alg":"ES256","typ":"hc+jwt","kid":"{{Kid}}","jwk":{{attacker.ToPublicJwk()}}}""";

        Assert.That(_verifier.Verify(Crafted.Qr(header, Crafted.Payload(), attacker)).Error, Is.EqualTo(VerificationError.BadSignature));
    }

    // ---- keys ----

    [Test]
    public void Verify_Rejects_WhenIssuerUnknown()
    {
        string qr = Crafted.Qr(Crafted.Header(Kid), Crafted.Payload("440000"), Issuer);

        Assert.That(_verifier.Verify(qr).Error, Is.EqualTo(VerificationError.UnknownIssuer));
    }

    [Test]
    public void Verify_Rejects_WhenKidUnknown()
    {
        using EcKey stranger = EcKey.Generate();
        string qr = Crafted.Qr(Crafted.Header(stranger.Kid), Crafted.Payload(), stranger);

        Assert.That(_verifier.Verify(qr).Error, Is.EqualTo(VerificationError.UnknownKey));
    }

    [Test]
    public void Verify_Rejects_WhenProvinceClaimsAnotherProvincesIssuer()
    {
        // Zhejiang's key is trusted, but only for iss 330000.
        EcKey zhejiang = _zhejiang.ActiveIssuer;
        string qr = Crafted.Qr(Crafted.Header(zhejiang.Kid), Crafted.Payload("410000"), zhejiang);

        Assert.That(_verifier.Verify(qr).Error, Is.EqualTo(VerificationError.UnknownKey));
    }

    [Test]
    public void Verify_Accepts_WhenTwoKeysShareKid_AndTheSecondIsRight()
    {
        using EcKey other = EcKey.Generate();
        var trusted = new InMemoryIssuerKeys();
        trusted.Add("410000", other, KeyStatus.Active, kid: Kid); // a truncated-kid collision
        trusted.Add("410000", Issuer, KeyStatus.Active);
        string qr = new HealthCodeSigner(Issuer).SignQr(Crafted.Claims());

        VerificationResult result = new HealthCodeVerifier(trusted, _time, Skew).Verify(qr);

        Assert.Multiple(() =>
        {
            Assert.That(trusted.Find("410000", Kid), Has.Count.EqualTo(2));
            Assert.That(result.IsValid, Is.True, result.ToString());
            Assert.That(result.Key!.Key, Is.SameAs(Issuer));
        });
    }

    [Test]
    public void Verify_Rejects_WhenTwoKeysShareKid_AndNeitherIsRight()
    {
        using EcKey first = EcKey.Generate();
        using EcKey second = EcKey.Generate();
        var trusted = new InMemoryIssuerKeys();
        trusted.Add("410000", first, KeyStatus.Active, kid: Kid);
        trusted.Add("410000", second, KeyStatus.Active, kid: Kid);
        string qr = new HealthCodeSigner(Issuer).SignQr(Crafted.Claims());

        Assert.That(new HealthCodeVerifier(trusted, _time, Skew).Verify(qr).Error, Is.EqualTo(VerificationError.BadSignature));
    }

    [Test]
    public void Verify_Rejects_WhenKeyRevoked()
    {
        var trusted = new InMemoryIssuerKeys();
        trusted.Add("410000", Issuer, KeyStatus.Revoked);
        string qr = new HealthCodeSigner(Issuer).SignQr(Crafted.Claims());

        Assert.That(new HealthCodeVerifier(trusted, _time, Skew).Verify(qr).Error, Is.EqualTo(VerificationError.KeyRevoked));
    }

    [Test]
    public void Verify_Rejects_ForgeryUnderRevokedKid_AsBadSignature()
    {
        var trusted = new InMemoryIssuerKeys();
        trusted.Add("410000", Issuer, KeyStatus.Revoked);
        using EcKey forger = EcKey.Generate();
        string qr = Crafted.Qr(Crafted.Header(Kid), Crafted.Payload(), forger);

        Assert.That(new HealthCodeVerifier(trusted, _time, Skew).Verify(qr).Error, Is.EqualTo(VerificationError.BadSignature));
    }

    [Test]
    public void Verify_Accepts_WhenKeyRetired()
    {
        var trusted = new InMemoryIssuerKeys();
        trusted.Add("410000", Issuer, KeyStatus.Retired);
        string qr = new HealthCodeSigner(Issuer).SignQr(Crafted.Claims());

        VerificationResult result = new HealthCodeVerifier(trusted, _time, Skew).Verify(qr);

        Assert.Multiple(() =>
        {
            Assert.That(result.IsValid, Is.True, result.ToString());
            Assert.That(result.Key!.Status, Is.EqualTo(KeyStatus.Retired));
        });
    }

    [Test]
    public void Verify_Rejects_WhenKeyPastItsValidityWindow()
    {
        var trusted = new InMemoryIssuerKeys();
        trusted.Add("410000", Issuer, KeyStatus.Retired, notAfter: Crafted.Now - Skew - TimeSpan.FromSeconds(1));
        string qr = new HealthCodeSigner(Issuer).SignQr(Crafted.Claims());

        Assert.That(new HealthCodeVerifier(trusted, _time, Skew).Verify(qr).Error, Is.EqualTo(VerificationError.UnknownKey));
    }

    // ---- signature ----

    [Test]
    public void Verify_Rejects_WhenPayloadTampered()
    {
        string[] parts = Crafted.Segments(new HealthCodeSigner(Issuer).SignQr(Crafted.Claims() with { Color = CodeColor.Red }));
        string payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("\"c\":\"r\"", "\"c\":\"g\"", StringComparison.Ordinal);

        string qr = QrText.Encode(parts[0] + "." + Crafted.B64(payload) + "." + parts[2]);

        Assert.That(_verifier.Verify(qr).Error, Is.EqualTo(VerificationError.BadSignature));
    }

    [Test]
    public void Verify_Rejects_WhenSignatureTampered()
    {
        string[] parts = Crafted.Segments(new HealthCodeSigner(Issuer).SignQr(Crafted.Claims()));
        byte[] signature = Base64Url.DecodeFromChars(parts[2]);
        signature[10] ^= 0x01;

        string qr = QrText.Encode(parts[0] + "." + parts[1] + "." + Base64Url.EncodeToString(signature));

        Assert.That(_verifier.Verify(qr).Error, Is.EqualTo(VerificationError.BadSignature));
    }

    [Test]
    public void Verify_Rejects_WhenSignatureIsDer()
    {
        string jws = Crafted.Jws(Crafted.Header(Kid), Crafted.Payload(), Issuer, DSASignatureFormat.Rfc3279DerSequence);

        Assert.That(_verifier.Verify(QrText.Encode(jws)).Error, Is.EqualTo(VerificationError.BadSignature));
    }

    [Test]
    public void Verify_Rejects_WhenSignatureBase64UrlIsNotCanonical()
    {
        string[] parts = Crafted.Segments(new HealthCodeSigner(Issuer).SignQr(Crafted.Claims()));
        // The last of 86 characters carries 2 data bits and 4 unused ones; set an unused bit.
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char last = parts[2][^1];
        string signature = parts[2][..^1] + Alphabet[Alphabet.IndexOf(last, StringComparison.Ordinal) | 1];

        string qr = QrText.Encode(parts[0] + "." + parts[1] + "." + signature);

        Assert.That(_verifier.Verify(qr).Error, Is.EqualTo(VerificationError.BadSignature));
    }

    [Test]
    public void Verify_Rejects_WhenSignatureIsEmpty()
    {
        string[] parts = Crafted.Segments(new HealthCodeSigner(Issuer).SignQr(Crafted.Claims()));

        Assert.That(_verifier.Verify(QrText.Encode(parts[0] + "." + parts[1] + ".")).Error, Is.EqualTo(VerificationError.BadSignature));
    }

    // ---- claims ----

    [TestCase("""{"iss":"410000","sub":"k3J9xQ2mT7vB4nLp","iat":1583049600,"exp":1583049900,"n":"张*艺","t":"123X","v":3}""", TestName = "Verify_Rejects_WhenColorMissing")]
    [TestCase("""{"iss":"410000","sub":"k3J9xQ2mT7vB4nLp","iat":1583049600,"exp":1583049900,"c":"b","n":"张*艺","t":"123X","v":3}""", TestName = "Verify_Rejects_WhenColorUnknown")]
    [TestCase("""{"iss":"410000","sub":"k3J9xQ2mT7vB4nLp","iat":"1583049600","exp":1583049900,"c":"g","n":"张*艺","t":"123X","v":3}""", TestName = "Verify_Rejects_WhenIatIsString")]
    [TestCase("""{"iss":"410000","sub":"k3J9xQ2mT7vB4nLp","iat":1583049600.5,"exp":1583049900,"c":"g","n":"张*艺","t":"123X","v":3}""", TestName = "Verify_Rejects_WhenIatIsFractional")]
    [TestCase("""{"iss":"410000","sub":"k3J9xQ2mT7vB4nLp","iat":1583049600,"exp":1583049600,"c":"g","n":"张*艺","t":"123X","v":3}""", TestName = "Verify_Rejects_WhenExpNotAfterIat")]
    [TestCase("""{"iss":"410000","sub":"k3J9xQ2mT7vB4nLp","iat":1583049600,"exp":99999999999999,"c":"g","n":"张*艺","t":"123X","v":3}""", TestName = "Verify_Rejects_WhenExpOutOfRange")]
    [TestCase("""{"iss":"410000","sub":"k3J9xQ2mT7vB4nLp","iat":1583049600,"exp":1583049900,"c":"g","n":"张*艺","t":"123X","v":-1}""", TestName = "Verify_Rejects_WhenVersionNegative")]
    [TestCase("""{"iss":"410000","iss":"330000","sub":"k3J9xQ2mT7vB4nLp","iat":1583049600,"exp":1583049900,"c":"g","n":"张*艺","t":"123X","v":3}""", TestName = "Verify_Rejects_WhenClaimAppearsTwice")]
    [TestCase("""{"iss":"410000","sub":"","iat":1583049600,"exp":1583049900,"c":"g","n":"张*艺","t":"123X","v":3}""", TestName = "Verify_Rejects_WhenSubEmpty")]
    [TestCase("""{"iss":"410000","sub":"k3J9xQ2mT7vB4nLp","iat":1583049600,"exp":1583049900,"c":"g","n":"张*艺","t":"0123X","v":3}""", TestName = "Verify_Rejects_WhenIdTailHas5Characters")]
    [TestCase("""{"iss":"410000","sub":"k3J9xQ2mT7vB4nLp","iat":1583049600,"exp":1583049900,"c":"g","n":"张*艺","t":"11010519491231002X","v":3}""", TestName = "Verify_Rejects_WhenIdTailIsTheWholeIdNumber")]
    [TestCase("""{"iss":"410000","sub":"k3J9xQ2mT7vB4nLp","iat":1583049600,"exp":1583049900,"c":"g","n":"张*艺","v":3}""", TestName = "Verify_Rejects_WhenIdTailMissing")]
    [TestCase("""["iss","410000"]""", TestName = "Verify_Rejects_WhenPayloadIsArray")]
    [TestCase("""{"iss":"410000"} {}""", TestName = "Verify_Rejects_WhenPayloadHasTrailingData")]
    [TestCase("""not json""", TestName = "Verify_Rejects_WhenPayloadIsNotJson")]
    public void Verify_Rejects_SignedButMalformedPayload(string payload)
    {
        string qr = Crafted.Qr(Crafted.Header(Kid), payload, Issuer);

        Assert.That(_verifier.Verify(qr).Error, Is.EqualTo(VerificationError.Malformed));
    }

    // ---- time ----

    [Test]
    public void Verify_Rejects_WhenExpiredBeyondSkew()
    {
        string qr = new HealthCodeSigner(Issuer).SignQr(Crafted.Claims());
        _time.Advance(TimeSpan.FromMinutes(5) + Skew);

        Assert.That(_verifier.Verify(qr).Error, Is.EqualTo(VerificationError.Expired));
    }

    [Test]
    public void Verify_Accepts_WhenExpiredWithinSkew()
    {
        string qr = new HealthCodeSigner(Issuer).SignQr(Crafted.Claims());
        _time.Advance(TimeSpan.FromMinutes(5) + Skew - TimeSpan.FromSeconds(1));

        Assert.That(_verifier.Verify(qr).IsValid, Is.True);
    }

    [Test]
    public void Verify_Rejects_WhenIssuedInFutureBeyondSkew()
    {
        string qr = new HealthCodeSigner(Issuer).SignQr(Crafted.Claims(issuedAt: Crafted.Now + Skew + TimeSpan.FromSeconds(1)));

        Assert.That(_verifier.Verify(qr).Error, Is.EqualTo(VerificationError.NotYetValid));
    }

    [Test]
    public void Verify_Accepts_WhenIssuedInFutureWithinSkew()
    {
        string qr = new HealthCodeSigner(Issuer).SignQr(Crafted.Claims(issuedAt: Crafted.Now + Skew));

        Assert.That(_verifier.Verify(qr).IsValid, Is.True);
    }

    [Test]
    public void Verify_Rejects_WhenNbfInFutureBeyondSkew()
    {
        long nbf = (Crafted.Now + Skew + TimeSpan.FromSeconds(1)).ToUnixTimeSeconds();
        string qr = Crafted.Qr(Crafted.Header(Kid), Crafted.Payload(extra: $",\"nbf\":{nbf}"), Issuer);

        Assert.That(_verifier.Verify(qr).Error, Is.EqualTo(VerificationError.NotYetValid));
    }

    [Test]
    public void Verifier_Throws_WhenClockSkewIsNegativeOrHuge()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new HealthCodeVerifier(_trusted, _time, TimeSpan.FromSeconds(-1)), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => new HealthCodeVerifier(_trusted, _time, TimeSpan.FromHours(1)), Throws.InstanceOf<ArgumentOutOfRangeException>());
        });
    }

    // ---- error codes ----

    [Test]
    public void ToCode_GivesTheStableDesignCodes()
    {
        string[] codes = [.. Enum.GetValues<VerificationError>().Select(e => e.ToCode())];

        Assert.That(codes, Is.EqualTo(DesignErrorCodes));
    }

    [Test]
    public void Failure_IsSharedAndCarriesNoClaims()
    {
        VerificationResult result = VerificationResult.Failure(VerificationError.CodeRevoked);

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.SameAs(VerificationResult.Failure(VerificationError.CodeRevoked)));
            Assert.That(result.IsValid, Is.False);
            Assert.That(result.Claims, Is.Null);
            Assert.That(result.ToString(), Is.EqualTo("code_revoked"));
        });
    }
}
