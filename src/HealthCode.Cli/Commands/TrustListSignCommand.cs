using System.Globalization;
using System.Text;
using HealthCode.Trust.Keys;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;

namespace HealthCode.Cli.Commands;

/// <summary>
/// <c>healthcode trust-list sign --keys &lt;dir&gt; --province &lt;code&gt; --name &lt;name&gt; --seq &lt;n&gt; [--days 7] [--revoke &lt;kid&gt;]... --out &lt;file&gt;</c>:
/// signs the province's trust list (DESIGN §4.2) with the root private key, from the key folder alone, so the
/// root can live on an offline machine.
/// </summary>
internal static class TrustListSignCommand
{
    private const int MaxDays = 90;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        CommandArgs? parsed = CommandArgs.Parse(
            args, ["--keys", "--province", "--name", "--seq", "--days", "--out"], [], out string? error, repeatable: ["--revoke"]);
        if (parsed is null || parsed.Positional.Count > 0)
        {
            return CommandLine.Fail(stderr, $"trust-list sign: {error ?? "unexpected argument " + parsed!.Positional[0]}");
        }

        string? keysFolder = parsed.Value("--keys");
        string? province = parsed.Value("--province");
        string? name = parsed.Value("--name");
        string? output = parsed.Value("--out");
        if (keysFolder is null || province is null || string.IsNullOrWhiteSpace(name) || output is null || parsed.Value("--seq") is null)
        {
            return CommandLine.Fail(stderr, "trust-list sign: --keys, --province, --name, --seq and --out are required.");
        }

        if (province.Length != 6 || !province.All(char.IsAsciiDigit))
        {
            return CommandLine.Fail(stderr, $"trust-list sign: --province must be a 6-digit GB/T 2260 code, not \"{province}\".");
        }

        if (!long.TryParse(parsed.Value("--seq"), NumberStyles.None, CultureInfo.InvariantCulture, out long seq))
        {
            return CommandLine.Fail(stderr, "trust-list sign: --seq must be a whole number, 0 or more, higher than the last published list's.");
        }

        if (!parsed.TryInt("--days", 7, 1, MaxDays, out int days))
        {
            return CommandLine.Fail(stderr, $"trust-list sign: --days must be between 1 and {MaxDays}.");
        }

        try
        {
            using ProvinceKeys keys = ProvinceKeys.Load(keysFolder);
            if (!keys.Root.HasPrivateKey)
            {
                stderr.WriteLine($"error: {Path.Combine(keysFolder, ProvinceKeys.RootName + KeyFolder.PrivateSuffix)} is needed to sign the trust list.");
                return CommandLine.Failed;
            }

            var revoke = new HashSet<string>(parsed.Values("--revoke"), StringComparer.Ordinal);
            string? unknown = revoke.FirstOrDefault(kid => !keys.Issuers.Any(k => k.Kid == kid));
            if (unknown is not null)
            {
                return CommandLine.Fail(stderr, $"trust-list sign: --revoke {unknown}: no issuer key in {keysFolder} has that kid.");
            }

            // The active key is the one that signs codes: the highest issuer-N with a private key. On the offline root
            // machine the issuer keys are public only, and then the newest one, the highest N, is the active key.
            EcKey active = keys.HasActiveIssuer ? keys.ActiveIssuer : keys.Issuers[^1];
            TrustListKey[] entries =
            [
                .. keys.Issuers.Select(k => new TrustListKey(
                    k,
                    revoke.Contains(k.Kid) ? KeyStatus.Revoked : ReferenceEquals(k, active) ? KeyStatus.Active : KeyStatus.Retired,
                    NotBefore: null,
                    NotAfter: null)),
            ];

            DateTimeOffset now = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());
            var list = new TrustList(province, name, seq, now, now.AddDays(days), entries);
            string jws = TrustListCodec.Sign(list, keys.Root);
            string? directory = Path.GetDirectoryName(Path.GetFullPath(output));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            File.WriteAllText(output, jws + "\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            stdout.WriteLine($"trust list {province} ({name}) seq {seq}, signed by root {keys.Root.Kid}, expires {list.ExpiresAt:yyyy-MM-ddTHH:mm:ssZ} -> {output}");
            for (int i = 0; i < entries.Length; i++)
            {
                stdout.WriteLine($"  issuer-{keys.IssuerNumbers[i]}  {entries[i].Key.Kid}  {TrustListCodec.StatusName(entries[i].Status)}");
            }

            return CommandLine.Ok;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidKeyException)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return CommandLine.Failed;
        }
    }
}
