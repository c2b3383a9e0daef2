using System.CommandLine;
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
    private const string Verb = "trust-list sign";

    public static Command Create(CliContext cli)
    {
        var keys = CliOptions.Required("--keys", "dir", "The province's key folder with root.private.jwk (works offline)");
        var province = CliOptions.Required("--province", "code", "The province's 6-digit GB/T 2260 code, e.g. 410000");
        var name = CliOptions.Required("--name", "name", "The province's name in the list, e.g. 河南省");
        var seq = CliOptions.Seq();
        var days = CliOptions.Int("--days", 7, 1, MaxDays, "How long the list stays valid, in days");
        var revoke = new Option<string[]>("--revoke")
        {
            Description = "Mark this kid revoked in this list only (repeatable); 'keys revoke' records it for every later list",
            HelpName = "kid",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = CliOptions.Required("--out", "file", "The signed list to write");
        var command = new Command(
            "sign",
            "Sign the province's trust list with root.private.jwk. Statuses come from keys.json (retired keys listed until retiredAt + 7 days, "
            + "revoked keys always); without keys.json the highest issuer-N with a private key is active (else the highest N), the others retired.")
        {
            keys, province, name, seq, days, revoke, output,
        };
        command.SetAction(parsed => Run(
            cli,
            new Request(parsed.GetRequiredValue(keys), parsed.GetRequiredValue(province), parsed.GetRequiredValue(name), parsed.GetValue(seq),
                parsed.GetValue(days), parsed.GetValue(revoke) ?? [], parsed.GetRequiredValue(output))));
        return command;
    }

    private sealed record Request(string KeysFolder, string Province, string Name, long Seq, int Days, string[] Revoke, string Output);

    private static int Run(CliContext cli, Request request)
    {
        TextWriter stdout = cli.Out;
        TextWriter stderr = cli.Error;
        TimeProvider time = cli.Time;
        (string keysFolder, string province, string name, long seq, int days, _, string output) = request;
        if (keysFolder.Length == 0 || string.IsNullOrWhiteSpace(name) || output.Length == 0)
        {
            return CommandLine.Fail(cli, Verb, "--keys, --name and --out need a value, not an empty one.");
        }

        if (!IssuerId.IsValid(province))
        {
            return CommandLine.Fail(cli, Verb, $"--province must be a 6-digit GB/T 2260 code, not \"{province}\".");
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
            var revoke = new HashSet<string>(request.Revoke, StringComparer.Ordinal);
            string? unknown = revoke.FirstOrDefault(kid => !keys.Issuers.Any(k => k.Key.Kid == kid));
            if (unknown is not null)
            {
                return CommandLine.Fail(cli, Verb, $"--revoke {unknown}: no issuer key in {keysFolder} has that kid.");
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
