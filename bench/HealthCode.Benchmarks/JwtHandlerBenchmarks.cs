using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Tokens;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HealthCode.Benchmarks;

/// <summary>
/// Why the QR scan path keeps the kernel's stack-only verifier (docs/BATCH-FORMAT.md §6): the same own code verified by
/// <see cref="HealthCodeVerifier"/> and by <see cref="JsonWebTokenHandler.ValidateTokenAsync(string, TokenValidationParameters)"/>
/// configured with the same rules (as the differential tests configure it), against a bare ES256 verify of the same bytes.
/// The handler keeps a signature-provider cache, as a service would run it.
/// </summary>
[MemoryDiagnoser]
public class JwtHandlerBenchmarks
{
    private ProvinceKeys henan = null!;
    private HealthCodeVerifier verifier = null!;
    private JsonWebTokenHandler handler = null!;
    private TokenValidationParameters parameters = null!;
    private string qr = null!;
    private byte[] input = null!;
    private byte[] signature = null!;

    [GlobalSetup]
    public void Setup()
    {
        henan = Samples.HenanKeys();
        var store = new TrustStore();
        store.SetOwn("410000", "河南省", [(henan.ActiveIssuer, KeyStatus.Active)]);
        var time = new FakeTimeProvider(Samples.Now.AddMinutes(1));
        var skew = TimeSpan.FromSeconds(30);
        verifier = new HealthCodeVerifier(store, time, skew);
        handler = new JsonWebTokenHandler();
        parameters = new TokenValidationParameters
        {
            ValidTypes = ["hc+jwt"],
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            IssuerSigningKeyResolver = (_, token, kid, _) => token is JsonWebToken { Issuer: { Length: > 0 } iss } && kid is not null
                ? [.. store.Find(iss, kid).Where(k => k.Status != KeyStatus.Revoked).Select(k => new ECDsaSecurityKey(k.Key.Ecdsa) { KeyId = kid })]
                : [],
            TryAllIssuerSigningKeys = false,
            ValidIssuers = ["410000"],
            ValidateAudience = false,
            RequireExpirationTime = true,
            ClockSkew = skew,
            LifetimeValidator = (notBefore, expires, _, _) =>
                expires is { } exp && time.GetUtcNow().UtcDateTime < exp + skew && (notBefore is not { } nbf || nbf <= time.GetUtcNow().UtcDateTime + skew),
            // Its own provider cache, as a service's handler would keep: the default one is process-wide and would hand the next
            // benchmark a provider around the ECDsa this one's cleanup disposed.
            CryptoProviderFactory = new CryptoProviderFactory(),
        };
        qr = Samples.TypicalQrText();
        if (!QrText.TryDecode(qr, out var jws))
        {
            throw new InvalidOperationException("The sample QR text does not decode.");
        }

        var dot = jws.LastIndexOf('.');
        input = Encoding.ASCII.GetBytes(jws, 0, dot);
        signature = Base64Url.DecodeFromChars(jws.AsSpan(dot + 1));
        if (!verifier.Verify(qr).IsValid || !Handler().GetAwaiter().GetResult())
        {
            throw new InvalidOperationException("The sample code does not verify with both.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => henan.Dispose();

    [Benchmark(Baseline = true, Description = "raw ECDsa.VerifyData (P1363), the code's bytes")]
    public bool RawVerify() =>
        henan.ActiveIssuer.Ecdsa.VerifyData(input, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Benchmark(Description = "HealthCodeVerifier.Verify (QR text)")]
    public bool Kernel() => verifier.Verify(qr).IsValid;

    [Benchmark(Description = "QrText.TryDecode + JsonWebTokenHandler.ValidateTokenAsync")]
    public async Task<bool> Handler() =>
        QrText.TryDecode(qr, out var jws) && (await handler.ValidateTokenAsync(jws, parameters).ConfigureAwait(false)).IsValid;
}
