using System.Globalization;
using System.Text;
using HealthCode.Trust;
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
        if (keysFolder is null || province is null || string.IsNullOrWhiteSpace(name) || string.IsNullOrEmpty(output) || parsed.Value("--seq") is null)
        {
            return CommandLine.Fail(stderr, "trust-list sign: --keys, --province, --name, --seq and --out are required.");
        }

        if (!IssuerId.IsValid(province))
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
            using ProvinceKeyring keys = ProvinceKeyring.Load(keysFolder);
            if (!keys.CanSignLists)
            {
                stderr.WriteLine($"error: {Path.Combine(keysFolder, ProvinceKeys.RootName + KeyFolder.PrivateSuffix)} is needed to sign the trust list.");
                return CommandLine.Failed;
            }

            // keys.json (keys rotate / keys revoke) decides each key's status; without it, the highest issuer-N with a
            // private key (on the offline root machine, the highest N) is active and the others retired. --revoke <kid>
            // marks a key revoked in this list only; 'keys revoke' records it for every later list.
            var revoke = new HashSet<string>(parsed.Values("--revoke"), StringComparer.Ordinal);
            string? unknown = revoke.FirstOrDefault(kid => !keys.Issuers.Any(k => k.Key.Kid == kid));
            if (unknown is not null)
            {
                return CommandLine.Fail(stderr, $"trust-list sign: --revoke {unknown}: no issuer key in {keysFolder} has that kid.");
            }

            TrustList built = keys.ToTrustList(province, name, seq, time.GetUtcNow(), TimeSpan.FromDays(days));
            TrustList list = built with
            {
                // A revoked key is always listed, even a retired one that the list had already left out.
                Keys =
                [
                    .. keys.Issuers
                        .Select(s => revoke.Contains(s.Key.Kid)
                            ? new TrustListKey(s.Key, KeyStatus.Revoked, NotBefore: null, NotAfter: null)
                            : built.Keys.FirstOrDefault(k => ReferenceEquals(k.Key, s.Key)))
                        .OfType<TrustListKey>(),
                ],
            };
            string jws = TrustListCodec.Sign(list, keys.Root);
            string? directory = Path.GetDirectoryName(Path.GetFullPath(output));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            File.WriteAllText(output, jws + "\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            stdout.WriteLine($"trust list {province} ({name}) seq {seq}, signed by root {keys.Root.Kid}, expires {list.ExpiresAt:yyyy-MM-ddTHH:mm:ssZ} -> {output}");
            foreach (TrustListKey entry in list.Keys)
            {
                int number = keys.Issuers.First(s => ReferenceEquals(s.Key, entry.Key)).Number;
                string window = entry.NotAfter is { } end ? $"  until {end:yyyy-MM-ddTHH:mm:ssZ}" : string.Empty;
                stdout.WriteLine($"  issuer-{number}  {entry.Key.Kid}  {TrustListCodec.StatusName(entry.Status)}{window}");
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
