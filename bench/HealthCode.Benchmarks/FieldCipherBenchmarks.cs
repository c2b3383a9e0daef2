using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using HealthCode.Api.Infrastructure.Privacy;

namespace HealthCode.Benchmarks;

/// <summary>
/// Personal data at rest (issue 13 item 3): the field cipher and the blind index with the sample privacy keys, against a
/// bare <see cref="AesGcm"/> encrypt/decrypt of the same UTF-8 bytes (one instance, a fresh random nonce) and a bare
/// <see cref="HMACSHA256.HashData(byte[], byte[])"/>. What the wrapper adds: text encoding, the associated data, the kid
/// and base64url, and taking an AesGcm from the pool.
/// </summary>
[MemoryDiagnoser]
public class FieldCipherBenchmarks
{
    private const string PersonId = "p_3f6c2a9d41e0";

    private const string IdNumber = "11010519491231002X";

    private PrivacyKeyRing keys = null!;
    private FieldCipher cipher = null!;
    private BlindIndex index = null!;
    private AesGcm aes = null!;
    private string declaration = null!;
    private string stored = null!;
    private byte[] idBytes = null!;
    private byte[] declarationBytes = null!;
    private byte[] nonce = null!;
    private byte[] cipherText = null!;
    private byte[] tag = null!;
    private byte[] indexKey = null!;

    [GlobalSetup]
    public void Setup()
    {
        keys = PrivacyKeyRing.Load(Path.Combine(Samples.RepoRoot, "keys-sample", "privacy"));
        cipher = new FieldCipher(keys);
        index = new BlindIndex(keys);
        // About 600 bytes: symptoms, a temperature and twelve places visited.
        declaration = "{\"symptoms\":[\"fever\",\"cough\"],\"temperature\":38.2,\"travel\":["
            + string.Join(',', Enumerable.Range(0, 12).Select(i => $"{{\"region\":\"4101{i:00}\",\"date\":\"2026-12-{i + 1:00}\"}}")) + "]}";
        stored = cipher.Protect(PrivacyField.IdNumber, IdNumber, PersonId);
        idBytes = Encoding.UTF8.GetBytes(IdNumber);
        declarationBytes = Encoding.UTF8.GetBytes(declaration);
        aes = new AesGcm(keys.CurrentDataKey.Secret, 16);
        nonce = RandomNumberGenerator.GetBytes(12);
        cipherText = new byte[idBytes.Length];
        tag = new byte[16];
        aes.Encrypt(nonce, idBytes, cipherText, tag);
        indexKey = keys.IndexKey.Secret.ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        aes.Dispose();
        cipher.Dispose();
        keys.Dispose();
    }

    [Benchmark(Baseline = true, Description = "raw AesGcm.Encrypt, ID number (random nonce)")]
    public byte[] RawEncrypt() => Encrypt(idBytes);

    [Benchmark(Description = "FieldCipher.Protect, ID number")]
    public string Protect() => cipher.Protect(PrivacyField.IdNumber, IdNumber, PersonId);

    [Benchmark(Description = "raw AesGcm.Decrypt, ID number")]
    public byte[] RawDecrypt()
    {
        byte[] output = new byte[idBytes.Length];
        aes.Decrypt(nonce, cipherText, tag, output);
        return output;
    }

    [Benchmark(Description = "FieldCipher.Unprotect, ID number")]
    public string Unprotect() => cipher.Unprotect(PrivacyField.IdNumber, stored, PersonId);

    [Benchmark(Description = "raw HMACSHA256.HashData, ID number")]
    public byte[] RawHmac() => HMACSHA256.HashData(indexKey, idBytes);

    [Benchmark(Description = "BlindIndex.Compute, ID number")]
    public string Index() => index.Compute(PrivacyField.IdNumber, IdNumber);

    [Benchmark(Description = "raw AesGcm.Encrypt, 600-byte declaration")]
    public byte[] RawEncryptDeclaration() => Encrypt(declarationBytes);

    [Benchmark(Description = "FieldCipher.Protect, 600-byte declaration")]
    public string ProtectDeclaration() => cipher.Protect(PrivacyField.Declaration, declaration, PersonId);

    private byte[] Encrypt(byte[] plain)
    {
        Span<byte> fresh = stackalloc byte[12];
        RandomNumberGenerator.Fill(fresh);
        byte[] output = new byte[plain.Length];
        aes.Encrypt(fresh, plain, output, tag);
        return output;
    }
}
