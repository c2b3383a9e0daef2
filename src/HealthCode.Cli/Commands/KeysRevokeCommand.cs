using System.CommandLine;
using HealthCode.Trust.Keys;

namespace HealthCode.Cli.Commands;

/// <summary>
/// <c>healthcode keys revoke &lt;kid&gt; --reason "&lt;text&gt;" --keys &lt;dir&gt;</c>: marks a compromised issuer key revoked
/// (DESIGN §4.2, issue 4 item 2) in <c>keys.json</c>; the next signed trust list publishes it as revoked. The active key
/// is refused: rotate first.
/// </summary>
internal static class KeysRevokeCommand
{
    public static Command Create(CliContext cli)
    {
        var kid = new Argument<string>("kid") { Description = "The issuer key's kid (or full thumbprint), as 'keys thumbprint' prints it" }.RefuseOptions();
        var reason = CliOptions.Required("--reason", "text", "Why the key is revoked, kept in keys.json");
        var keys = CliOptions.Required("--keys", "dir", "The province's key folder");
        var command = new Command("revoke", "Mark a compromised issuer key revoked in keys.json; the active key is refused: rotate first.") { kid, reason, keys };
        command.SetAction(parsed => Run(cli, parsed.GetRequiredValue(kid), parsed.GetRequiredValue(reason), parsed.GetRequiredValue(keys)));
        return command;
    }

    private static int Run(CliContext cli, string kid, string reason, string folder)
    {
        TextWriter stdout = cli.Out;
        TextWriter stderr = cli.Error;
        TimeProvider time = cli.Time;
        if (kid.Length == 0 || string.IsNullOrWhiteSpace(reason) || folder.Length == 0)
        {
            return CommandLine.Fail(cli, "keys revoke", "give one <kid>, --reason \"<text>\" and --keys <dir>, none of them empty.");
        }

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
