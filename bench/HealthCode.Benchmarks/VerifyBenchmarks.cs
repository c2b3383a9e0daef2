using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Tokens;
using HealthCode.Trust.Verification;
using Microsoft.Extensions.Time.Testing;

namespace HealthCode.Benchmarks;

/// <summary>Our full verify (prefix, parse, header rules, key lookup, signature, claims) against a bare ES256 verify of the same bytes.</summary>
[MemoryDiagnoser]
public class VerifyBenchmarks
{
    private ProvinceKeys keys = null!;
    private HealthCodeVerifier verifier = null!;
    private string qrText = null!;
    private byte[] signingInput = null!;
    private byte[] signature = null!;

    [GlobalSetup]
    public void Setup()
    {
        keys = Samples.HenanKeys();
        var resolver = new InMemoryIssuerKeys();
        resolver.Add("410000", keys.ActiveIssuer, KeyStatus.Active);
        verifier = new HealthCodeVerifier(resolver, new FakeTimeProvider(Samples.Now.AddMinutes(1)), TimeSpan.FromSeconds(30));
        qrText = Samples.TypicalQrText();
        QrText.TryDecode(qrText, out var jws);
        var dot = jws.LastIndexOf('.');
        signingInput = Encoding.ASCII.GetBytes(jws, 0, dot);
        signature = System.Buffers.Text.Base64Url.DecodeFromChars(jws.AsSpan(dot + 1));
        if (!verifier.Verify(qrText).IsValid)
        {
            throw new InvalidOperationException("The sample code does not verify.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => keys.Dispose();

    [Benchmark(Baseline = true, Description = "raw ECDsa.VerifyData (P1363)")]
    public bool RawVerify() =>
        keys.ActiveIssuer.Ecdsa.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Benchmark(Description = "HealthCodeVerifier.Verify (QR text)")]
    public bool Verify() => verifier.Verify(qrText).IsValid;
}
