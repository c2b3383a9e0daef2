using System.CommandLine;
using System.Text;
using System.Text.Json;
using HealthCode.Trust.Federation;
using HealthCode.Trust.Keys;

namespace HealthCode.Cli.Commands;

/// <summary>
/// <c>healthcode federation sign --anchor &lt;dir&gt; --members &lt;members.json&gt; --seq &lt;n&gt; [--days 7] --out &lt;file&gt;</c>:
/// the hub signs its federation list (DESIGN §4.3) with <c>anchor.private.jwk</c>. <c>members.json</c> is
/// <c>{"members":[{"iss","name","rootKey","trustListUrl","status"}]}</c>, where <c>rootKey</c> is a public JWK object or
/// the path of a <c>.public.jwk</c> file, relative to <c>members.json</c>.
/// </summary>
internal static class FederationSignCommand
{
    private const int MaxDays = 90;

    public static Command Create(CliContext cli)
    {
        var anchor = CliOptions.Required("--anchor", "dir", "The hub's key folder with anchor.private.jwk");
        var members = CliOptions.Required(
            "--members", "members.json", "{\"members\":[{iss,name,rootKey,trustListUrl,status}]}; rootKey is a public JWK or a .public.jwk path");
        var seq = CliOptions.Seq();
        var days = CliOptions.Int("--days", 7, 1, MaxDays, "How long the list stays valid, in days");
        var output = CliOptions.Required("--out", "file", "The signed list to write");
        var command = new Command("sign", "Sign the hub's federation list with anchor.private.jwk.") { anchor, members, seq, days, output };
        command.SetAction(parsed => Run(
            cli, parsed.GetRequiredValue(anchor), parsed.GetRequiredValue(members), parsed.GetValue(seq), parsed.GetValue(days), parsed.GetRequiredValue(output)));
        return command;
    }

    private static int Run(CliContext cli, string anchorFolder, string membersPath, long seq, int days, string output)
    {
        TextWriter stdout = cli.Out;
        TextWriter stderr = cli.Error;
        TimeProvider time = cli.Time;
        if (anchorFolder.Length == 0 || membersPath.Length == 0 || output.Length == 0)
        {
            return CommandLine.Fail(cli, "federation sign", "--anchor, --members and --out need a value, not an empty one.");
        }

        var members = new List<FederationMember>();
        try
        {
            using EcKey anchor = ProvinceKeys.LoadHubAnchor(anchorFolder);
            if (!anchor.HasPrivateKey)
            {
                stderr.WriteLine($"error: {Path.Combine(anchorFolder, ProvinceKeys.HubAnchorName + KeyFolder.PrivateSuffix)} is needed to sign the federation list.");
                return CommandLine.Failed;
            }

            if (ReadMembers(membersPath, members) is { } problem)
            {
                stderr.WriteLine($"error: {membersPath}: {problem}");
                return CommandLine.Failed;
            }

            DateTimeOffset now = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());
            var list = new FederationList(seq, now, now.AddDays(days), members);
            string jws = FederationListCodec.Sign(list, anchor);
            string? directory = Path.GetDirectoryName(Path.GetFullPath(output));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            File.WriteAllText(output, jws + "\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            stdout.WriteLine($"federation list seq {seq}, signed by anchor {anchor.Kid}, expires {list.ExpiresAt:yyyy-MM-ddTHH:mm:ssZ} -> {output}");
            foreach (FederationMember member in members)
            {
                stdout.WriteLine($"  {member.Issuer}  {member.Name}  root {member.RootKey.Kid}  {FederationListCodec.StatusName(member.Status)}  {member.TrustListUrl}");
            }

            return CommandLine.Ok;
        }
        catch (ArgumentException ex)
        {
            // FederationListCodec.Sign names the member that breaks a rule (docs/FEDERATION-FORMAT.md §2).
            stderr.WriteLine($"error: {ex.Message}");
            return CommandLine.Failed;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidKeyException or JsonException)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return CommandLine.Failed;
        }
        finally
        {
            members.ForEach(m => m.RootKey.Dispose());
        }
    }

    /// <summary>Reads members.json into <paramref name="members"/>; returns what is wrong, or null.</summary>
    private static string? ReadMembers(string path, List<FederationMember> members)
    {
        string baseFolder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("members", out JsonElement array) || array.ValueKind != JsonValueKind.Array)
        {
            return "expected {\"members\": [...]}.";
        }

        foreach (JsonElement m in array.EnumerateArray())
        {
            string? iss = Text(m, "iss");
            string? name = Text(m, "name");
            string? url = Text(m, "trustListUrl");
            MemberStatus? status = Text(m, "status") switch
            {
                "active" or null => MemberStatus.Active,
                "suspended" => MemberStatus.Suspended,
                _ => null,
            };
            if (iss is null || name is null || url is null || status is null || !m.TryGetProperty("rootKey", out JsonElement root))
            {
                return "each member needs iss, name, rootKey, trustListUrl and an optional status (active|suspended).";
            }

            EcKey key = root.ValueKind == JsonValueKind.String
                ? EcKey.Load(Path.Combine(baseFolder, root.GetString()!))
                : EcKey.FromJwk(root.GetRawText());
            members.Add(new FederationMember(iss, name, key, url, status.Value));
        }

        return null;
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
