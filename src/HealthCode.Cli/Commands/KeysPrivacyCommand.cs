using System.CommandLine;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Privacy;

namespace HealthCode.Cli.Commands;

/// <summary>
/// <c>healthcode keys privacy --out &lt;dir&gt; (--data | --index | --current &lt;kid&gt;)</c>: the keys that encrypt personal data
/// at rest and key its blind indexes (DESIGN §11; format in keys-sample/privacy/README.md).
/// </summary>
/// <remarks>
/// A new data key becomes current only when the folder has none: with several instances it is copied to every one of them
/// first, and made current (<c>--current</c>) once all can read what it will write.
/// </remarks>
internal static class KeysPrivacyCommand
{
    private const string Verb = "keys privacy";

    public static Command Create(CliContext cli)
    {
        var output = CliOptions.Required("--out", "dir", "The privacy key folder (HealthCode:Privacy:KeysPath); created owner-only when missing");
        var data = new Option<bool>("--data") { Description = "A new data key (AES-256-GCM); current at once only in a folder without one" };
        var index = new Option<bool>("--index") { Description = "The blind-index key (HMAC-SHA256); a folder has exactly one, never replaced" };
        var current = CliOptions.Optional("--current", "kid", "Make this data key the one new values are written with");
        var command = new Command("privacy", "Privacy keys: a new data key, the blind-index key, or which data key is current: exactly one of --data, --index, --current.")
        {
            output, data, index, current,
        };
        command.SetAction(parsed => Run(cli, parsed.GetRequiredValue(output), parsed.GetValue(data), parsed.GetValue(index), parsed.GetValue(current)));
        return command;
    }

    private static int Run(CliContext cli, string output, bool data, bool index, string? current)
    {
        if ((data ? 1 : 0) + (index ? 1 : 0) + (current is null ? 0 : 1) != 1)
        {
            return CommandLine.Fail(cli, Verb, "give exactly one of --data, --index or --current <kid>.");
        }

        if (output.Length == 0)
        {
            return CommandLine.Fail(cli, Verb, "--out needs a folder name.");
        }

        string folder = Path.GetFullPath(output);
        try
        {
            if (current is not null)
            {
                PrivacyKeyFolder.MakeCurrent(folder, current);
                cli.Out.WriteLine($"data key {current} is current -> {folder}");
                return CommandLine.Ok;
            }

            IReadOnlyList<PrivacyKey> existing = Directory.Exists(folder) ? PrivacyKeyFolder.ReadAll(folder) : [];
            bool hasIndex = existing.Any(k => k.Use == PrivacyKeyUse.Index);
            bool hasData = existing.Any(k => k.Use == PrivacyKeyUse.Data);
            foreach (PrivacyKey key in existing)
            {
                key.Dispose();
            }

            if (index && hasIndex)
            {
                // Which key made an index is not stored with it: a second key would make every look-up miss half the rows.
                cli.Error.WriteLine($"error: {folder} has a blind-index key already; it is never replaced (every stored index would change).");
                return CommandLine.Failed;
            }

            string kid = PrivacyKeyFolder.Generate(folder, index ? PrivacyKeyUse.Index : PrivacyKeyUse.Data, cli.Time.GetUtcNow());
            if (index)
            {
                cli.Out.WriteLine($"index key {kid} -> {folder}");
            }
            else if (!hasData || PrivacyKeyFolder.ReadCurrent(folder) is null)
            {
                PrivacyKeyFolder.MakeCurrent(folder, kid);
                cli.Out.WriteLine($"data key {kid} (current) -> {folder}");
            }
            else
            {
                cli.Out.WriteLine($"data key {kid} (not current yet) -> {folder}");
                cli.Out.WriteLine($"Copy it to every instance's folder and restart them; then run '{CommandLine.Name} {Verb} --out <dir> --current {kid}' and restart again.");
            }

            return CommandLine.Ok;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidKeyException)
        {
            cli.Error.WriteLine($"error: {ex.Message}");
            return CommandLine.Failed;
        }
    }
}
