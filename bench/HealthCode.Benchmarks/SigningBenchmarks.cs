using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Tokens;

namespace HealthCode.Benchmarks;

/// <summary>Signing a code: ours (claims → JSON → JWS → QR text) against a bare ES256 signature.</summary>
[MemoryDiagnoser]
public class SigningBenchmarks
{
    private ProvinceKeys keys = null!;
    private HealthCodeSigner signer = null!;
    private byte[] signingInput = null!;

    [GlobalSetup]
    public void Setup()
    {
        keys = Samples.HenanKeys();
        signer = new HealthCodeSigner(keys.ActiveIssuer);
        var jws = signer.Sign(Samples.TypicalClaims);
        signingInput = Encoding.ASCII.GetBytes(jws, 0, jws.LastIndexOf('.'));
    }

    [GlobalCleanup]
    public void Cleanup() => keys.Dispose();

    [Benchmark(Baseline = true, Description = "raw ECDsa.SignData (P1363)")]
    public byte[] RawSign() =>
        keys.ActiveIssuer.Ecdsa.SignData(signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Benchmark(Description = "HealthCodeSigner.Sign (JWS)")]
    public string SignJws() => signer.Sign(Samples.TypicalClaims);

    [Benchmark(Description = "HealthCodeSigner.SignQr (QR text)")]
    public string SignQr() => signer.SignQr(Samples.TypicalClaims);
}
