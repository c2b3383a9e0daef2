using HealthCode.Trust.Keys;

namespace HealthCode.Cli.Commands;

/// <summary>
/// <c>healthcode keys revoke &lt;kid&gt; --reason "&lt;text&gt;" --keys &lt;dir&gt;</c>: marks a compromised issuer key revoked
/// (DESIGN §4.2, issue 4 item 2) in <c>keys.json</c>; the next signed trust list publishes it as revoked. The active key
/// is refused: rotate first.
/// </summary>
internal static class KeysRevokeCommand
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        CommandArgs? parsed = CommandArgs.Parse(args, ["--keys", "--reason"], [], out string? error);
        if (parsed is null)
        {
            return CommandLine.Fail(stderr, $"keys revoke: {error}");
        }

        string? folder = parsed.Value("--keys");
        string? reason = parsed.Value("--reason");
        if (parsed.Positional.Count != 1 || parsed.Positional[0].Length == 0 || folder is null || string.IsNullOrWhiteSpace(reason))
        {
            return CommandLine.Fail(stderr, "keys revoke: give one <kid>, --reason \"<text>\" and --keys <dir>.");
        }

        string kid = parsed.Positional[0];
        try
        {
            RevokeOutcome outcome = ProvinceKeyring.Revoke(folder, kid, reason, time.GetUtcNow());
            string? failure = outcome switch
            {
                RevokeOutcome.Revoked => null,
                RevokeOutcome.AlreadyRevoked => null,
                RevokeOutcome.UnknownKid => $"no issuer key in {folder} has kid {kid}.",
                RevokeOutcome.AmbiguousKid => $"several keys share kid {kid}; give the full thumbprint (healthcode keys thumbprint).",
                RevokeOutcome.ActiveKey => $"{kid} is the active key. Run 'healthcode keys rotate --keys {folder}' first, then revoke it.",
                _ => $"unexpected outcome {outcome}.",
            };
            if (failure is not null)
            {
                stderr.WriteLine($"error: {failure}");
                return CommandLine.Failed;
            }

            stdout.WriteLine(outcome == RevokeOutcome.Revoked ? $"revoked: {kid}" : $"{kid} was revoked already; unchanged.");
            using ProvinceKeyring keyring = ProvinceKeyring.Load(folder);
            KeysListing.Write(stdout, keyring);
            stdout.WriteLine("Sign and publish a new trust list (higher --seq) so partners reject its codes.");
            return CommandLine.Ok;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidKeyException)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return CommandLine.Failed;
        }
    }
}
