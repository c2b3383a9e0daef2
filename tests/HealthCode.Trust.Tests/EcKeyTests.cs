using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HealthCode.Trust.Keys;

namespace HealthCode.Trust.Tests;

public sealed class EcKeyTests
{
    [Test]
    public void Generate_CreatesPrivateP256Key_WithKidFromThumbprint()
    {
        using EcKey key = EcKey.Generate();

        Assert.Multiple(() =>
        {
            Assert.That(key.HasPrivateKey, Is.True);
            Assert.That(key.Ecdsa.KeySize, Is.EqualTo(256));
            Assert.That(key.Thumbprint, Has.Length.EqualTo(43)); // base64url of 32 bytes, no padding
            Assert.That(key.Kid, Is.EqualTo(key.Thumbprint[..8]));
        });
    }

    [Test]
    public void Thumbprint_IsSha256OfCanonicalMembersInLexicographicOrder()
    {
        using EcKey key = EcKey.Generate();
        using JsonDocument jwk = JsonDocument.Parse(key.ToPublicJwk());
        string x = jwk.RootElement.GetProperty("x").GetString()!;
        string y = jwk.RootElement.GetProperty("y").GetString()!;

        // RFC 7638 §3.2: required members only, sorted (crv, kty, x, y), no whitespace.
        string canonical = $$"""{"crv":"P-256","kty":"EC","x":"{{x}}","y":"{{y}}"}""";
        string expected = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));

        Assert.That(key.Thumbprint, Is.EqualTo(expected));
    }

    [Test]
    public void Thumbprint_IsTheSame_ForPublicPrivateAndReorderedJwk()
    {
        using EcKey key = EcKey.Generate();
        using JsonDocument jwk = JsonDocument.Parse(key.ToPublicJwk());
        string x = jwk.RootElement.GetProperty("x").GetString()!;
        string y = jwk.RootElement.GetProperty("y").GetString()!;
        string reordered = $$"""{ "y": "{{y}}", "use": "sig", "x": "{{x}}", "crv": "P-256", "ext": true, "kty": "EC" }""";

        using EcKey fromPublic = EcKey.FromJwk(key.ToPublicJwk());
        using EcKey fromPrivate = EcKey.FromJwk(key.ToPrivateJwk());
        using EcKey fromReordered = EcKey.FromJwk(reordered);

        Assert.Multiple(() =>
        {
            Assert.That(fromPublic.Thumbprint, Is.EqualTo(key.Thumbprint));
            Assert.That(fromPrivate.Thumbprint, Is.EqualTo(key.Thumbprint));
            Assert.That(fromReordered.Thumbprint, Is.EqualTo(key.Thumbprint));
            Assert.That(fromPublic.HasPrivateKey, Is.False);
            Assert.That(fromPrivate.HasPrivateKey, Is.True);
        });
    }

    [Test]
    public void PrivateJwk_SignsWhatThePublicJwkVerifies()
    {
        using EcKey original = EcKey.Generate();
        using EcKey signer = EcKey.FromJwk(original.ToPrivateJwk());
        using EcKey verifier = EcKey.FromJwk(original.ToPublicJwk());
        byte[] data = "health"u8.ToArray();

        byte[] signature = signer.Ecdsa.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        Assert.That(verifier.Ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation), Is.True);
    }

    [Test]
    public void Jwk_IncludesKid_AndPublicJwkHasNoD()
    {
        using EcKey key = EcKey.Generate();
        using JsonDocument publicJwk = JsonDocument.Parse(key.ToPublicJwk());
        using JsonDocument privateJwk = JsonDocument.Parse(key.ToPrivateJwk());

        Assert.Multiple(() =>
        {
            Assert.That(publicJwk.RootElement.GetProperty("kid").GetString(), Is.EqualTo(key.Kid));
            Assert.That(publicJwk.RootElement.TryGetProperty("d", out _), Is.False);
            Assert.That(privateJwk.RootElement.GetProperty("kid").GetString(), Is.EqualTo(key.Kid));
            Assert.That(privateJwk.RootElement.GetProperty("d").GetString(), Has.Length.EqualTo(43));
        });
    }

    [Test]
    public void ToPrivateJwk_Throws_WhenKeyIsPublicOnly()
    {
        using EcKey key = EcKey.Generate();
        using EcKey publicOnly = EcKey.FromJwk(key.ToPublicJwk());

        Assert.That(publicOnly.ToPrivateJwk, Throws.InvalidOperationException);
    }

    [TestCase("""{"kty":"RSA","n":"0vx7","e":"AQAB"}""", "kty")]
    [TestCase("""{"kty":"oct","k":"c2VjcmV0"}""", "kty")]
    [TestCase("""{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}""", "kty")]
    [TestCase("""{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}""", "curve")]
    [TestCase("""{"kty":"EC","crv":"secp256k1","x":"AA","y":"AA"}""", "curve")]
    [TestCase("""{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}""", "32 bytes")]
    [TestCase("""{"kty":"EC","crv":"P-256"}""", "\"x\"")]
    [TestCase("""[1,2,3]""", "object")]
    [TestCase("""not json""", "JSON")]
    public void FromJwk_Rejects_WhatIsNotAnEcP256Jwk(string json, string messagePart)
    {
        Assert.That(() => EcKey.FromJwk(json), Throws.TypeOf<InvalidKeyException>().With.Message.Contains(messagePart));
    }

    [TestCase("alg", "RS256")]
    [TestCase("alg", "HS256")]
    [TestCase("use", "enc")]
    [TestCase("kid", "someone-elses-kid")]
    public void FromJwk_Rejects_WhenMemberContradictsKey(string member, string value)
    {
        using EcKey key = EcKey.Generate();
        var jwk = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(key.ToPublicJwk())!;
        jwk[member] = JsonSerializer.SerializeToElement(value);

        Assert.That(() => EcKey.FromJwk(JsonSerializer.Serialize(jwk)), Throws.TypeOf<InvalidKeyException>().With.Message.Contains(value));
    }

    [Test]
    public void FromJwk_Rejects_PointNotOnCurve()
    {
        using EcKey key = EcKey.Generate();
        var jwk = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(key.ToPublicJwk())!;
        jwk.Remove("kid");
        byte[] y = Base64Url.DecodeFromChars(jwk["y"].GetString());
        y[^1] ^= 1;
        jwk["y"] = JsonSerializer.SerializeToElement(Base64Url.EncodeToString(y));

        Assert.That(() => EcKey.FromJwk(JsonSerializer.Serialize(jwk)), Throws.TypeOf<InvalidKeyException>());
    }

    [Test]
    public void FromJwk_Rejects_PrivatePartOfAnotherKey()
    {
        using EcKey key = EcKey.Generate();
        using EcKey other = EcKey.Generate();
        var jwk = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(key.ToPrivateJwk())!;
        var otherJwk = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(other.ToPrivateJwk())!;
        jwk["d"] = otherJwk["d"];

        Assert.That(() => EcKey.FromJwk(JsonSerializer.Serialize(jwk)), Throws.TypeOf<InvalidKeyException>());
    }

    [Test]
    public void Load_NamesTheFile_WhenItIsNotAKey()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.Path);
        string path = Path.Combine(folder.Path, "broken.public.jwk");
        File.WriteAllText(path, """{"kty":"RSA"}""");

        Assert.That(() => EcKey.Load(path), Throws.TypeOf<InvalidKeyException>().With.Message.Contains(path));
    }
}
