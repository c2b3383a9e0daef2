using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using HealthCode.Trust.Federation;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Sharing;
using HealthCode.Trust.Status;
using HealthCode.Trust.Tokens;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;
using Microsoft.Extensions.Time.Testing;

namespace HealthCode.Trust.Tests;

/// <summary>
/// Seeded mutation ("fuzz") tests: valid tokens and trust lists, mutated in every way a damaged print, a bad scan
/// or an attacker could, must never be accepted and must never make the verifier throw.
/// </summary>
public sealed class MutationTests
{
    private const int Seed = 20200301;
    private const int TokenMutations = 120_000;
    private const int TrustListMutations = 10_000;

    private static readonly char[] Junk = ['a', 'Z', '.', '-', '_', ' ', '\n', '=', '/', '+', '\0', 'é', '٣', '３', '健', '\uFFFD', '\uD83D'];

    private SampleProvinces _p = null!;

    [OneTimeSetUp]
    public void LoadSampleKeys() => _p = new SampleProvinces();

    [OneTimeTearDown]
    public void DisposeKeys() => _p.Dispose();

    [Test]
    public void Verify_NeverThrows_AndNeverAcceptsMutatedTokens_Seeded()
    {
        var time = new FakeTimeProvider(Crafted.Now);
        var store = new TrustStore();
        store.SetOwn("410000", "河南省", [(_p.Henan.ActiveIssuer, KeyStatus.Active)]);
        store.SetPartner(SampleProvinces.ListOf(_p.Zhejiang, "330000", "浙江省"));
        var verifier = new HealthCodeVerifier(store, time, TimeSpan.FromSeconds(30));
        string[] originals =
        [
            new HealthCodeSigner(_p.Henan.ActiveIssuer).SignQr(Crafted.Claims()),
            new HealthCodeSigner(_p.Henan.ActiveIssuer).SignQr(Crafted.Claims() with { Color = CodeColor.Red, MaskedName = "欧阳*", IdTail = "0017" }),
            new HealthCodeSigner(_p.Zhejiang.ActiveIssuer).SignQr(Crafted.Claims("330000", lifetime: TimeSpan.FromDays(1)) with { Color = CodeColor.Yellow }),
        ];
        Assert.That(originals.All(qr => verifier.Verify(qr).IsValid), Is.True, "the originals verify");

        // The seed fixes the sequence of mutations; ES256 signatures are randomised, so the originals differ from run
        // to run. A failure message therefore carries the whole mutated text, which reproduces it on its own.
        var random = new Random(Seed);
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        int tried = 0, identical = 0;
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        while (tried < TokenMutations)
        {
            string original = originals[random.Next(originals.Length)];
            string mutated = MutateQr(random, original);
            if (mutated.Trim() == original)
            {
                identical++; // the verifier reads the trimmed text: this is the original, not a mutation
                continue;
            }

            tried++;
            try
            {
                VerificationResult result = verifier.Verify(mutated);
                if (result.IsValid)
                {
                    failures.Add("accepted: " + mutated);
                }
                else
                {
                    string code = result.Error.Value.ToCode();
                    reasons[code] = reasons.GetValueOrDefault(code) + 1;
                }
            }
            catch (Exception ex)
            {
                failures.Add($"{ex.GetType().Name}: {ex.Message} for {mutated}");
            }
        }

        clock.Stop();
        TestContext.Out.WriteLine($"{tried} mutated tokens (seed {Seed}, {identical} identical skipped) in {clock.Elapsed.TotalSeconds:F1} s: "
            + string.Join(", ", reasons.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value}")));
        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(10)));
        Assert.That(tried, Is.GreaterThanOrEqualTo(100_000));
    }

    [Test]
    public void TrustListVerify_NeverThrows_AndNeverAcceptsMutatedLists_Seeded()
    {
        string original = TrustListCodec.Sign(SampleProvinces.ListOf(_p.Zhejiang, "330000", "浙江省", seq: 9), _p.Zhejiang.Root);
        var random = new Random(Seed);
        int tried = 0;
        var failures = new List<string>();
        while (tried < TrustListMutations)
        {
            string mutated = MutateJws(random, original);
            if (mutated.Trim() == original)
            {
                continue;
            }

            tried++;
            try
            {
                TrustListResult result = TrustListCodec.Verify(mutated, _p.Zhejiang.Root, "330000", null, Crafted.Now, TimeSpan.FromMinutes(1));
                if (result.IsValid)
                {
                    failures.Add("accepted: " + mutated);
                }
            }
            catch (Exception ex)
            {
                failures.Add($"{ex.GetType().Name}: {ex.Message} for {mutated}");
            }
        }

        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(10)));
    }

    [Test]
    public async Task FederationListVerify_NeverThrows_AndNeverAcceptsMutatedLists_Seeded()
    {
        using EcKey anchor = ProvinceKeys.LoadHubAnchor(Path.Combine(RepoPaths.KeysSample, "hub"));
        var list = new FederationList(9, Crafted.Now, Crafted.Now.AddDays(7),
        [
            new FederationMember("330000", "浙江省", _p.Zhejiang.Issuers[0], "https://zj.example/tl", MemberStatus.Active),
        ]);
        using EcKey publicRoot = EcKey.FromJwk(_p.Zhejiang.Issuers[0].ToPublicJwk());
        string original = FederationListCodec.Sign(list with { Members = [list.Members[0] with { RootKey = publicRoot }] }, anchor);
        await AssertNeverThrowsNorAcceptsAsync(
            original, jws => Task.FromResult(FederationListCodec.Verify(jws, anchor, null, Crafted.Now, TimeSpan.FromMinutes(1)).IsValid));
    }

    [Test]
    public async Task BatchManifestRead_NeverThrows_AndNeverAcceptsMutatedManifests_Seeded()
    {
        using EcKey cdc = KeyFolder.LoadKey(Path.Combine(RepoPaths.KeysSample, "departments", "CDC"), "CDC");
        var reader = new BatchManifestReader(new FakeTimeProvider(Crafted.Now), TimeSpan.FromMinutes(1), BatchManifestReader.DefaultMaxAge);
        string original = BatchManifestCodec.Sign(
            new BatchManifest("410000-CDC-002", "20200301T080000Z-0001", BatchManifest.Sha256Text(new byte[32]), 1200, Crafted.Now), cdc);
        await AssertNeverThrowsNorAcceptsAsync(original, async jws => (await reader.ReadAsync(jws, cdc)).IsValid);
    }

    [Test]
    public async Task StatusRequestVerify_NeverThrows_AndNeverAcceptsMutatedRequests_Seeded()
    {
        var store = new TrustStore();
        store.SetOwn("410000", "河南省", [(_p.Henan.ActiveIssuer, KeyStatus.Active)]);
        string original = StatusRequestCodec.Sign("410000", "330000", "k3J9xQ2mT7vB4nLp", Crafted.Now, _p.Henan.ActiveIssuer);
        await AssertNeverThrowsNorAcceptsAsync(
            original, jws => Task.FromResult(StatusRequestCodec.Verify(jws, store, "330000", Crafted.Now, TimeSpan.FromMinutes(1)).IsValid));
    }

    private static async Task AssertNeverThrowsNorAcceptsAsync(string original, Func<string, Task<bool>> verify)
    {
        Assert.That(await verify(original), Is.True, "the unmutated original verifies");
        var random = new Random(Seed);
        int tried = 0;
        var failures = new List<string>();
        while (tried < TrustListMutations)
        {
            string mutated = MutateJws(random, original);
            if (mutated.Trim() == original)
            {
                continue;
            }

            tried++;
            try
            {
                if (await verify(mutated))
                {
                    failures.Add("accepted: " + mutated);
                }
            }
            catch (Exception ex)
            {
                failures.Add($"{ex.GetType().Name}: {ex.Message} for {mutated}");
            }
        }

        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(10)));
    }

    /// <summary>One mutation of the QR text, or of the JWS inside it (then encoded back), sometimes several at once.</summary>
    private static string MutateQr(Random random, string qr)
    {
        int rounds = random.Next(10) == 0 ? random.Next(2, 5) : 1;
        for (int i = 0; i < rounds; i++)
        {
            qr = random.Next(3) switch
            {
                0 => MutateText(random, qr, QrText.Prefix.Length, digitsOnly: random.Next(4) != 0),
                _ => QrText.TryDecode(qr, out string jws) ? Crafted.UncheckedQr(MutateJws(random, jws)) is var q && Ascii(q) ? q : MutateText(random, qr, 0, false)
                    : MutateText(random, qr, 0, digitsOnly: false),
            };
        }

        return qr;
    }

    /// <summary>One mutation of a compact JWS: its characters, its segments, or the decoded bytes of a segment.</summary>
    private static string MutateJws(Random random, string jws)
    {
        string[] segments = jws.Split('.');
        switch (random.Next(6))
        {
            case 0:
                return MutateText(random, jws, 0, digitsOnly: false, alphabet: "ABCxyz019-_.=");
            case 1: // swap, repeat or drop segments
                return random.Next(4) switch
                {
                    0 => string.Join('.', segments.OrderBy(_ => random.Next())),
                    1 => string.Join('.', segments.Append(segments[random.Next(segments.Length)])),
                    2 => string.Join('.', segments.Where((_, i) => i != random.Next(segments.Length))),
                    _ => jws + "." + jws,
                };
            default: // decode a segment, change its bytes, encode it back (so the text stays well-formed base64url)
                if (segments.Length != 3)
                {
                    return jws + "x";
                }

                int index = random.Next(3);
                byte[] bytes = new byte[Base64Url.GetMaxDecodedLength(segments[index].Length)];
                if (Base64Url.DecodeFromChars(segments[index], bytes, out _, out int written) != OperationStatus.Done)
                {
                    return jws + "A"; // an earlier round broke this segment's base64url
                }

                bytes = bytes[..written];
                segments[index] = Base64Url.EncodeToString(MutateBytes(random, bytes));
                return string.Join('.', segments);
        }
    }

    private static byte[] MutateBytes(Random random, byte[] bytes)
    {
        var list = new List<byte>(bytes);
        int position = list.Count == 0 ? 0 : random.Next(list.Count);
        switch (random.Next(6))
        {
            case 0 when list.Count > 0:
                list[position] ^= (byte)(1 << random.Next(8)); // one bit
                break;
            case 1 when list.Count > 0:
                list[position] = (byte)random.Next(256);
                break;
            case 2:
                list.Insert(position, (byte)random.Next(256));
                break;
            case 3 when list.Count > 0:
                list.RemoveAt(position);
                break;
            case 4:
                list.RemoveRange(position, list.Count - position); // truncate
                break;
            default: // a JSON-ish byte where a structural character may be
                list.Insert(position, "{}[]\",:0\\"u8[random.Next(9)]);
                break;
        }

        return [.. list];
    }

    /// <summary>Flip, insert, delete or replace characters, truncate, or swap two characters.</summary>
    private static string MutateText(Random random, string text, int from, bool digitsOnly, string? alphabet = null)
    {
        char RandomChar() => digitsOnly ? (char)('0' + random.Next(10))
            : alphabet is not null ? alphabet[random.Next(alphabet.Length)]
            : random.Next(2) == 0 ? (char)('0' + random.Next(10)) : Junk[random.Next(Junk.Length)];

        if (text.Length <= from)
        {
            return text + RandomChar();
        }

        int position = random.Next(from, text.Length);
        return random.Next(6) switch
        {
            0 => string.Concat(text.AsSpan(0, position), RandomChar().ToString(), text.AsSpan(position + 1)),
            1 => text.Insert(position, RandomChar().ToString()),
            2 => text.Remove(position, 1),
            3 => text[..position],
            4 => Swap(text, position, random.Next(from, text.Length)),
            _ => string.Concat(text.AsSpan(0, position), ((char)(text[position] ^ 1)).ToString(), text.AsSpan(position + 1)),
        };
    }

    private static string Swap(string text, int a, int b)
    {
        char[] chars = text.ToCharArray();
        (chars[a], chars[b]) = (chars[b], chars[a]);
        return new string(chars);
    }

    private static bool Ascii(string text) => text.All(char.IsAscii);
}
