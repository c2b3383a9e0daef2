using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Tokens;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;
using Microsoft.Extensions.Time.Testing;

namespace HealthCode.Benchmarks;

/// <summary>
/// Our full verify (prefix, parse, header rules, key lookup, signature, claims) of an own code and of a partner's
/// code, against a bare ES256 verify of the same bytes. Both go through one <see cref="TrustStore"/> set up as a
/// province's is: its own keys (410000, keys-sample) and every other province-level issuer as a partner, 330000 from
/// keys-sample and 32 generated, each list verified against its pinned root before it is trusted.
/// </summary>
[MemoryDiagnoser]
public class VerifyBenchmarks
{
    private ProvinceKeys henan = null!;
    private ProvinceKeys zhejiang = null!;
    private List<GeneratedProvince> others = null!;
    private HealthCodeVerifier verifier = null!;
    private string ownQr = null!;
    private string partnerQr = null!;
    private (byte[] Input, byte[] Signature) ownBytes;
    private (byte[] Input, byte[] Signature) partnerBytes;
    private ECDsa partnerKey = null!;

    [GlobalSetup]
    public void Setup()
    {
        henan = Samples.HenanKeys();
        zhejiang = Samples.ZhejiangKeys();
        others = GeneratedProvince.ForEveryProvince(except: ["410000", "330000"]);

        var store = new TrustStore();
        store.SetOwn("410000", "河南省", [(henan.ActiveIssuer, KeyStatus.Active)]);
        // A partner holds only the public half of the partner's root, pinned out of band.
        using (var pinnedRoot = EcKey.Load(Path.Combine(Samples.SampleFolder("330000"), TrustFolder.RootFileName)))
        {
            GeneratedProvince.Trust(store, GeneratedProvince.SignList("330000", "浙江省", zhejiang.ActiveIssuer, zhejiang.Root, Samples.Now), pinnedRoot, "330000", Samples.Now);
        }

        foreach (var province in others)
        {
            GeneratedProvince.Trust(store, province.SignList(Samples.Now), province.Root, province.Issuer, Samples.Now);
        }

        verifier = new HealthCodeVerifier(store, new FakeTimeProvider(Samples.Now.AddMinutes(1)), TimeSpan.FromSeconds(30));
        ownQr = Samples.TypicalQrText();
        partnerQr = new HealthCodeSigner(zhejiang.ActiveIssuer).SignQr(Samples.PartnerClaims);
        ownBytes = SignedBytes(ownQr);
        partnerBytes = SignedBytes(partnerQr);
        // The key the store took from the verified list (public only), not the sample's private one.
        partnerKey = store.Find("330000", zhejiang.ActiveIssuer.Kid).Single().Key.Ecdsa;

        if (store.Issuers.Count != 34 || !verifier.Verify(ownQr).IsValid || !verifier.Verify(partnerQr).IsValid || store.IsOwn("330000"))
        {
            throw new InvalidOperationException("The sample codes do not verify against the trust store.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        henan.Dispose();
        zhejiang.Dispose();
        others.ForEach(p => p.Dispose());
    }

    [Benchmark(Baseline = true, Description = "raw ECDsa.VerifyData (P1363), own code's bytes")]
    public bool RawVerify() => RawVerify(henan.ActiveIssuer.Ecdsa, ownBytes);

    [Benchmark(Description = "raw ECDsa.VerifyData (P1363), partner code's bytes")]
    public bool RawVerifyPartner() => RawVerify(partnerKey, partnerBytes);

    [Benchmark(Description = "HealthCodeVerifier.Verify, own code (410000)")]
    public bool VerifyOwn() => verifier.Verify(ownQr).IsValid;

    [Benchmark(Description = "HealthCodeVerifier.Verify, partner code (330000)")]
    public bool VerifyPartner() => verifier.Verify(partnerQr).IsValid;

    private static bool RawVerify(ECDsa key, (byte[] Input, byte[] Signature) bytes) =>
        key.VerifyData(bytes.Input, bytes.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>The JWS signing input (RFC 7515 §5.2 step 8) and the decoded signature of a QR text.</summary>
    private static (byte[] Input, byte[] Signature) SignedBytes(string qrText)
    {
        if (!QrText.TryDecode(qrText, out var jws))
        {
            throw new InvalidOperationException("The sample QR text does not decode.");
        }

        var dot = jws.LastIndexOf('.');
        return (Encoding.ASCII.GetBytes(jws, 0, dot), Base64Url.DecodeFromChars(jws.AsSpan(dot + 1)));
    }
}
