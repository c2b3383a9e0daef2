using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Tokens;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HealthCode.Trust.Tests;

/// <summary>
/// The kernel's own verifiers against the design card's JWT library (docs/BATCH-FORMAT.md §6): a
/// <see cref="JsonWebTokenHandler"/> given the same rules as <see cref="TokenValidationParameters"/> (typ per kind, ES256
/// only, the trusted keys of the token's issuer, the same clock and skew) accepts every health code and trust list the
/// kernel accepts, and every kind of forgery is refused by both. Seeded: a failure message carries the forged text, which
/// reproduces it alone.
/// </summary>
public sealed class JwtHandlerDifferentialTests
{
    private const int Seed = 20200301;
    private const int Codes = 240;
    private const int Lists = 40;
    private const int ForgeriesPerKind = 30;
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);

    // The handler caches a signature provider per key by default; these keys are disposed with the fixture, so nothing is cached.
    private static readonly CryptoProviderFactory Uncached = new() { CacheSignatureProviders = false };

    private static readonly JsonWebTokenHandler Handler = new();

    private static readonly string[] MaskedNames = ["张*艺", "欧阳*", "李*", "A*n", "O'B*n", "<b>*"];

    private SampleProvinces _p = null!;
    private FakeTimeProvider _time = null!;
    private TrustStore _store = null!;
    private HealthCodeVerifier _kernel = null!;
    private EcKey _attacker = null!;

    /// <summary>The forgeries, each made from a valid document by a seeded <see cref="Random"/>.</summary>
    public enum Forgery
    {
        FlippedSignatureBit,
        PayloadChanged,
        AlgNone,
        Hs256WithPublicKeyAsSecret,
        TypChanged,
        KidOfAnotherKey,
        DerSignature,
        HeaderWithJwk,
        Truncated,
        ExtraSegment,
        Expired,
    }

    [OneTimeSetUp]
    public void LoadSampleKeys()
    {
        _p = new SampleProvinces();
        _attacker = EcKey.Generate();
        _time = new FakeTimeProvider(Crafted.Now);
        _store = new TrustStore();
        _store.SetOwn(SampleProvinces.HenanCode, "河南省", [(_p.Henan.ActiveIssuer, KeyStatus.Active)]);
        _store.SetPartner(SampleProvinces.ListOf(_p.Zhejiang, SampleProvinces.ZhejiangCode, "浙江省"));
        _kernel = new HealthCodeVerifier(_store, _time, Skew);
    }

    [OneTimeTearDown]
    public void DisposeKeys()
    {
        _attacker.Dispose();
        _p.Dispose();
    }

    [Test]
    public async Task EveryCodeTheKernelAccepts_TheHandlerAccepts_OwnAndPartner_Seeded()
    {
        var failures = new List<string>();
        foreach ((string qr, _) in ValidCodes(new Random(Seed)))
        {
            VerificationResult kernel = _kernel.Verify(qr);
            TokenValidationResult handler = await Handler.ValidateTokenAsync(Jws(qr), CodeParameters());
            if (!kernel.IsValid || !handler.IsValid)
            {
                failures.Add($"kernel {kernel}, handler {handler.Exception?.GetType().Name ?? "valid"}: {qr}");
            }
        }

        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(10)));
    }

    [Test]
    public async Task EveryTrustListTheKernelAccepts_TheHandlerAccepts_Seeded()
    {
        var failures = new List<string>();
        foreach (string jws in ValidLists(new Random(Seed)))
        {
            TrustListResult kernel = VerifyListWithKernel(jws);
            TokenValidationResult handler = await Handler.ValidateTokenAsync(jws, ListParameters());
            if (!kernel.IsValid || !handler.IsValid)
            {
                failures.Add($"kernel {kernel}, handler {handler.Exception?.GetType().Name ?? "valid"}: {jws}");
            }
        }

        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(10)));
    }

    [Test]
    public async Task EveryKindOfForgedCode_BothRefuse_Seeded([Values] Forgery kind)
    {
        var random = new Random(Seed + (int)kind);
        var codes = ValidCodes(random).Take(ForgeriesPerKind).ToList();
        var failures = new List<string>();
        var kernelCodes = new SortedSet<string>(StringComparer.Ordinal);
        foreach ((string qr, EcKey signer) in codes)
        {
            string forged = Forge(random, kind, Jws(qr), signer, CodeTypes, ExpireCode, ChangeCode);
            VerificationResult kernel = _kernel.Verify(QrText.Encode(forged));
            TokenValidationResult handler = await Handler.ValidateTokenAsync(forged, CodeParameters());
            if (kernel.IsValid || handler.IsValid)
            {
                failures.Add($"{kind}: kernel {kernel}, handler {(handler.IsValid ? "ACCEPTED" : handler.Exception?.GetType().Name)}: {forged}");
            }

            kernelCodes.Add(kernel.ToString());
        }

        TestContext.Out.WriteLine($"{kind}: {codes.Count} forged codes, kernel said {string.Join(", ", kernelCodes)}");
        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(10)));
    }

    [Test]
    public async Task EveryKindOfForgedTrustList_BothRefuse_Seeded([Values] Forgery kind)
    {
        var random = new Random(Seed + 100 + (int)kind);
        var failures = new List<string>();
        foreach (string jws in ValidLists(random).Take(ForgeriesPerKind))
        {
            string forged = Forge(random, kind, jws, _p.Zhejiang.Root, ListTypes, ExpireList, ChangeList);
            TrustListResult kernel = VerifyListWithKernel(forged);
            TokenValidationResult handler = await Handler.ValidateTokenAsync(forged, ListParameters());
            if (kernel.IsValid || handler.IsValid)
            {
                failures.Add($"{kind}: kernel {kernel}, handler {(handler.IsValid ? "ACCEPTED" : handler.Exception?.GetType().Name)}: {forged}");
            }
        }

        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(10)));
    }

    private static readonly string[] CodeTypes = ["JWT", "hc-trust-list+jwt", "hc-batch+jwt", "HC+JWT", ""];
    private static readonly string[] ListTypes = ["JWT", "hc+jwt", "hc-federation+jwt", "hc-batch+jwt", ""];

    /// <summary>
    /// The kernel's rules for codes as <see cref="TokenValidationParameters"/>: <c>typ</c> <c>hc+jwt</c>, ES256 only, the keys
    /// the trust store holds for the token's own <c>iss</c> under its <c>kid</c> (never another issuer's, never a revoked
    /// one), a trusted issuer, and <c>exp</c>, <c>nbf</c> and <c>iat</c> on the same clock with the same skew.
    /// </summary>
    private TokenValidationParameters CodeParameters() => new()
    {
        ValidTypes = [TokenFormat.Type],
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        IssuerSigningKeyResolver = (_, token, kid, _) => token is JsonWebToken { Issuer: { Length: > 0 } iss } && kid is not null
            ? [.. _store.Find(iss, kid).Where(k => k.Status != KeyStatus.Revoked).Select(k => new ECDsaSecurityKey(k.Key.Ecdsa) { KeyId = kid })]
            : [],
        TryAllIssuerSigningKeys = false,
        ValidIssuers = [.. _store.Issuers],
        ValidateAudience = false,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        ClockSkew = Skew,
        LifetimeValidator = (notBefore, expires, token, _) => Lifetime(notBefore, expires, (token as JsonWebToken)?.IssuedAt),
        CryptoProviderFactory = Uncached,
    };

    /// <summary>The kernel's rules for a trust list: <c>typ</c> <c>hc-trust-list+jwt</c>, ES256, the pinned root (its kid is informative only), the expected <c>iss</c>, <c>exp</c> with the skew.</summary>
    private TokenValidationParameters ListParameters() => new()
    {
        ValidTypes = [TrustListCodec.Type],
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        IssuerSigningKey = new ECDsaSecurityKey(_p.Zhejiang.Root.Ecdsa) { KeyId = _p.Zhejiang.Root.Kid },
        TryAllIssuerSigningKeys = true,
        ValidIssuer = SampleProvinces.ZhejiangCode,
        ValidateAudience = false,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        ClockSkew = Skew,
        LifetimeValidator = (_, expires, _, _) => Lifetime(null, expires, null),
        CryptoProviderFactory = Uncached,
    };

    /// <summary>RFC 7519 §4.1.4 and §4.1.5, and an <c>iat</c> not in the future, on the fake clock: the kernel's LifetimeRule.</summary>
    private bool Lifetime(DateTime? notBefore, DateTime? expires, DateTime? issuedAt)
    {
        DateTime now = _time.GetUtcNow().UtcDateTime;
        return expires is { } exp && now < exp + Skew
            && (notBefore is not { } nbf || nbf <= now + Skew)
            && (issuedAt is not { } iat || iat == DateTime.MinValue || iat <= now + Skew);
    }

    private TrustListResult VerifyListWithKernel(string jws) =>
        TrustListCodec.Verify(jws, _p.Zhejiang.Root, SampleProvinces.ZhejiangCode, heldSeq: null, _time.GetUtcNow(), Skew);

    /// <summary>Codes of both provinces with seeded claims: colours, CJK and HTML-sensitive names, phone and printed lifetimes.</summary>
    private IEnumerable<(string Qr, EcKey Signer)> ValidCodes(Random random)
    {
        EcKey[] signers = [_p.Henan.ActiveIssuer, .. _p.Zhejiang.Issuers];
        for (int i = 0; i < Codes; i++)
        {
            EcKey signer = signers[random.Next(signers.Length)];
            string issuer = ReferenceEquals(signer, _p.Henan.ActiveIssuer) ? SampleProvinces.HenanCode : SampleProvinces.ZhejiangCode;
            DateTimeOffset iat = Crafted.Now.AddSeconds(-random.Next(0, 3600));
            TimeSpan lifetime = random.Next(4) == 0 ? TimeSpan.FromDays(random.Next(1, 8)) : TimeSpan.FromMinutes(random.Next(61, 600));
            var claims = new HealthCodeClaims(
                issuer,
                Base64Url.EncodeToString(RandomBytes(random, 12)),
                iat,
                iat + lifetime,
                (CodeColor)random.Next(3),
                MaskedNames[random.Next(MaskedNames.Length)],
                string.Concat(Enumerable.Range(0, 4).Select(_ => "0123456789X"[random.Next(11)])),
                random.Next(0, 1000));
            yield return (new HealthCodeSigner(signer).SignQr(claims), signer);
        }
    }

    private IEnumerable<string> ValidLists(Random random)
    {
        for (int i = 0; i < Lists; i++)
        {
            var list = SampleProvinces.ListOf(
                _p.Zhejiang, SampleProvinces.ZhejiangCode, "浙江省", seq: random.Next(0, 1000), lifetime: TimeSpan.FromDays(random.Next(1, 30)),
                status: (KeyStatus)random.Next(3));
            yield return TrustListCodec.Sign(list with { IssuedAt = Crafted.Now.AddHours(-random.Next(0, 48)) }, _p.Zhejiang.Root);
        }
    }

    /// <summary>One forgery of a valid compact JWS signed by <paramref name="signer"/>.</summary>
    private string Forge(
        Random random, Forgery kind, string jws, EcKey signer, string[] wrongTypes, Action<JsonObject> expire, Action<Random, JsonObject> change)
    {
        string[] parts = jws.Split('.');
        JsonObject header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!.AsObject();
        JsonObject payload = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
        switch (kind)
        {
            case Forgery.FlippedSignatureBit:
                byte[] signature = Base64Url.DecodeFromChars(parts[2]);
                signature[random.Next(signature.Length)] ^= (byte)(1 << random.Next(8));
                return $"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString(signature)}";
            case Forgery.PayloadChanged:
                change(random, payload);
                return $"{parts[0]}.{Crafted.B64(payload.ToJsonString())}.{parts[2]}";
            case Forgery.AlgNone:
                header["alg"] = random.Next(2) == 0 ? "none" : "None";
                return $"{Crafted.B64(header.ToJsonString())}.{parts[1]}.";
            case Forgery.Hs256WithPublicKeyAsSecret:
                // The classic confusion: a verifier that takes alg from the token would HMAC with the public key it holds.
                header["alg"] = "HS256";
                byte[] secret = random.Next(2) == 0 ? signer.Ecdsa.ExportSubjectPublicKeyInfo() : Encoding.UTF8.GetBytes(signer.ToPublicJwk());
                string input = $"{Crafted.B64(header.ToJsonString())}.{parts[1]}";
                return $"{input}.{Base64Url.EncodeToString(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)))}";
            case Forgery.TypChanged:
                string typ = wrongTypes[random.Next(wrongTypes.Length)];
                if (typ.Length == 0)
                {
                    header.Remove("typ");
                }
                else
                {
                    header["typ"] = typ;
                }

                return Resign(header, payload, signer);
            case Forgery.KidOfAnotherKey:
                if (random.Next(2) == 0)
                {
                    // The attacker's own key, named by the kid of a trusted one.
                    return Resign(header, payload, _attacker);
                }

                // The real signer, but the kid of another trusted key (a code: another province's issuer; a list: another root).
                header["kid"] = ReferenceEquals(signer, _p.Henan.ActiveIssuer) ? _p.Zhejiang.ActiveIssuer.Kid : _p.Henan.ActiveIssuer.Kid;
                return Resign(header, payload, ReferenceEquals(signer, _p.Zhejiang.Root) ? _p.Henan.Root : signer);
            case Forgery.DerSignature:
                return Crafted.Jws(header.ToJsonString(), payload.ToJsonString(), signer, DSASignatureFormat.Rfc3279DerSequence);
            case Forgery.HeaderWithJwk:
                // RFC 8725 §3.10: a key carried by the token itself is never a key to trust.
                header["jwk"] = JsonNode.Parse(_attacker.ToPublicJwk());
                if (random.Next(2) == 0)
                {
                    header["jku"] = "https://attacker.example/jwks.json";
                }

                return Resign(header, payload, _attacker);
            case Forgery.Truncated:
                return jws[..random.Next(1, jws.Length)];
            case Forgery.ExtraSegment:
                return random.Next(2) == 0 ? $"{jws}.{parts[2]}" : $"{jws}.{Crafted.B64("{}")}";
            case Forgery.Expired:
                expire(payload);
                return Resign(header, payload, signer);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    private static string Resign(JsonObject header, JsonObject payload, EcKey key) => Crafted.Jws(header.ToJsonString(), payload.ToJsonString(), key);

    /// <summary>Past its <c>exp</c> by more than the skew: issued two days ago for a day.</summary>
    private static void ExpireCode(JsonObject payload)
    {
        long now = Crafted.Now.ToUnixTimeSeconds();
        payload["iat"] = now - 172_800;
        payload["exp"] = now - (long)Skew.TotalSeconds - 1;
    }

    private static void ExpireList(JsonObject payload) => ExpireCode(payload);

    /// <summary>What an attacker would change in a code: its colour to green, its status version, its issuer.</summary>
    private static void ChangeCode(Random random, JsonObject payload)
    {
        switch (random.Next(3))
        {
            case 0:
                payload["c"] = (string?)payload["c"] == "g" ? "r" : "g";
                break;
            case 1:
                payload["v"] = (int)payload["v"]! + 1;
                break;
            default:
                payload["exp"] = (long)payload["exp"]! + 86_400;
                break;
        }
    }

    /// <summary>What an attacker would change in a list: its sequence number, its expiry, a key's status.</summary>
    private static void ChangeList(Random random, JsonObject payload)
    {
        switch (random.Next(3))
        {
            case 0:
                payload["seq"] = (long)payload["seq"]! + 1;
                break;
            case 1:
                payload["exp"] = (long)payload["exp"]! + 86_400;
                break;
            default:
                JsonObject key = payload["keys"]!["keys"]![0]!.AsObject();
                key["status"] = (string?)key["status"] == "active" ? "revoked" : "active";
                break;
        }
    }

    private static string Jws(string qr)
    {
        Assert.That(QrText.TryDecode(qr, out string jws), Is.True);
        return jws;
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        byte[] bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
