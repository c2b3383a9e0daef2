using System.CommandLine;
using HealthCode.Trust.Keys;
using HealthCode.Trust.TrustLists;

namespace HealthCode.Cli.Commands;

/// <summary>
/// <c>healthcode keys rotate --keys &lt;dir&gt;</c>: a new active issuer key, the previous one retired (DESIGN §4.2, issue 4
/// item 2). Recorded in <c>keys.json</c>; it reaches partners with the next signed trust list.
/// </summary>
internal static class KeysRotateCommand
{
    public static Command Create(CliContext cli)
    {
        var keys = CliOptions.Required("--keys", "dir", "The province's key folder (root, issuer-N and keys.json)");
        var command = new Command("rotate", "A new active issuer-(N+1); the active key becomes retired (recorded in keys.json).") { keys };
        command.SetAction(parsed => Run(cli, parsed.GetRequiredValue(keys)));
        return command;
    }

    private static int Run(CliContext cli, string folder)
    {
        TextWriter stdout = cli.Out;
        TextWriter stderr = cli.Error;
        TimeProvider time = cli.Time;
        try
        {
            IssuerKeyState created = ProvinceKeyring.Rotate(folder, time.GetUtcNow());
            using (created.Key)
            {
                stdout.WriteLine($"rotated: issuer-{created.Number} kid {created.Key.Kid} is active -> {folder}");
            }

            using ProvinceKeyring keyring = ProvinceKeyring.Load(folder);
            KeysListing.Write(stdout, keyring);
            stdout.WriteLine("Sign and publish a new trust list (higher --seq) so partners learn the new key.");
            return CommandLine.Ok;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidKeyException)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return CommandLine.Failed;
        }
    }
}

/// <summary>Prints a keyring's issuer keys, one line each.</summary>
internal static class KeysListing
{
    public static void Write(TextWriter stdout, ProvinceKeyring keyring)
    {
        foreach (IssuerKeyState state in keyring.Issuers)
        {
            string line = $"  issuer-{state.Number}  {state.Key.Kid}  {TrustListCodec.StatusName(state.Status),-7}  created {state.CreatedAt:yyyy-MM-ddTHH:mm:ssZ}";
            if (state.RetiredAt is { } retired)
            {
                line += $"  retired {retired:yyyy-MM-ddTHH:mm:ssZ}";
            }

            if (state.RevokedAt is { } revoked)
            {
                line += $"  revoked {revoked:yyyy-MM-ddTHH:mm:ssZ} ({state.RevocationReason})";
            }

            stdout.WriteLine(line);
        }

        foreach (int n in keyring.UnrecordedIssuerNumbers)
        {
            stdout.WriteLine($"  issuer-{n}  ignored: not recorded in {ProvinceKeyring.StateFileName}");
        }
    }
}
