using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Tokens;

namespace HealthCode.Trust.Tests;

public sealed class HealthCodeSignerTests
{
    private ProvinceKeys _henan = null!;

    [OneTimeSetUp]
    public void LoadSampleKeys() => _henan = ProvinceKeys.Load(RepoPaths.Province("410000"));

    [OneTimeTearDown]
    public void DisposeKeys() => _henan.Dispose();

    [Test]
    public void Sign_WritesExactHeader()
    {
        string jws = new HealthCodeSigner(_henan.ActiveIssuer).Sign(Crafted.Claims());

        string header = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(jws.Split('.')[0]));

        Assert.That(header, Is.EqualTo($$"""{"alg":"ES256","typ":"hc+jwt","kid":"{{_henan.ActiveIssuer.Kid}}"}"""));
    }

    [Test]
    public void Sign_WritesShortClaims_WithUtf8NameNotEscaped()
    {
        HealthCodeClaims claims = Crafted.Claims() with { Color = CodeColor.Yellow };
        string jws = new HealthCodeSigner(_henan.ActiveIssuer).Sign(claims);

        string payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(jws.Split('.')[1]));
        long iat = claims.IssuedAt.ToUnixTimeSeconds();

        Assert.That(payload, Is.EqualTo(
            $$"""{"iss":"410000","sub":"k3J9xQ2mT7vB4nLp","iat":{{iat}},"exp":{{iat + 300}},"c":"y","n":"张*艺","t":"123X","v":3}"""));
    }

    [Test]
    public void Sign_WritesP1363Signature_ThatVerifiesWithThePublicKey()
    {
        string jws = new HealthCodeSigner(_henan.ActiveIssuer).Sign(Crafted.Claims());
        string[] parts = jws.Split('.');
        byte[] signature = Base64Url.DecodeFromChars(parts[2]);
        using EcKey publicKey = EcKey.Load(Path.Combine(RepoPaths.Province("410000"), "issuer-1.public.jwk"));

        Assert.Multiple(() =>
        {
            Assert.That(signature, Has.Length.EqualTo(64));
            Assert.That(publicKey.Ecdsa.VerifyData(
                Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]),
                signature,
                HashAlgorithmName.SHA256,
                DSASignatureFormat.IeeeP1363FixedFieldConcatenation), Is.True);
        });
    }

    [Test]
    public void Sign_Throws_WhenKeyIsPublicOnly()
    {
        using EcKey publicKey = EcKey.Load(Path.Combine(RepoPaths.Province("410000"), "issuer-1.public.jwk"));

        Assert.That(() => new HealthCodeSigner(publicKey), Throws.ArgumentException);
    }

    [Test]
    public void Sign_Throws_WhenIdTailIsLongerThan4()
    {
        var signer = new HealthCodeSigner(_henan.ActiveIssuer);

        Assert.That(() => signer.Sign(Crafted.Claims() with { IdTail = "41010519491231002X" }), Throws.ArgumentException);
    }

    [Test]
    public void Sign_Throws_WhenExpiryIsNotAfterIssue()
    {
        var signer = new HealthCodeSigner(_henan.ActiveIssuer);

        Assert.That(() => signer.Sign(Crafted.Claims(lifetime: TimeSpan.Zero)), Throws.ArgumentException);
    }

    [Test]
    public void SignQr_TypicalCode_FitsQrVersion12AtLevelM()
    {
        string qr = new HealthCodeSigner(_henan.ActiveIssuer).SignQr(Crafted.Claims());

        // ISO/IEC 18004 for versions 10-26: an alphanumeric segment for "HC1:/" (4-bit mode, 11-bit count,
        // 11 bits per pair, 6 for the odd one) and a numeric segment for the body (4-bit mode, 12-bit count,
        // 10 bits per 3 digits, 4 or 7 for the rest). Version 12-M holds 290 data codewords.
        int digits = qr.Length - QrText.Prefix.Length;
        int bits = (4 + 11 + 22 + 6) + (4 + 12 + (digits / 3 * 10) + (digits % 3 == 0 ? 0 : (digits % 3 * 3) + 1));
        TestContext.Out.WriteLine($"QR text: {qr.Length} characters, {bits} data bits");

        Assert.That(bits, Is.LessThanOrEqualTo(290 * 8));
    }
}
