using HealthCode.Trust;
using HealthCode.Trust.Keys;

namespace HealthCode.Cli.Commands;

/// <summary><c>healthcode keys generate --province &lt;code&gt; | --hub [--out &lt;dir&gt;]</c>.</summary>
internal static class KeysGenerateCommand
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? province = null;
        string? output = null;
        bool hub = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--province" when i + 1 < args.Length && province is null:
                    province = args[++i];
                    break;
                case "--out" when i + 1 < args.Length && output is null && args[i + 1].Length > 0:
                    output = args[++i];
                    break;
                case "--hub" when !hub:
                    hub = true;
                    break;
                default:
                    return CommandLine.Fail(stderr, $"keys generate: unexpected or incomplete argument \"{args[i]}\".");
            }
        }

        if (hub == (province is not null))
        {
            return CommandLine.Fail(stderr, "keys generate: give exactly one of --province <code> or --hub.");
        }

        // DESIGN §4.1: a province is its 6-digit GB/T 2260 code, e.g. 410000.
        if (province is not null && !IssuerId.IsValid(province))
        {
            return CommandLine.Fail(stderr, $"keys generate: --province must be a 6-digit GB/T 2260 code, not \"{province}\".");
        }

        string folder = Path.GetFullPath(output ?? province ?? "hub");
        try
        {
            if (hub)
            {
                ProvinceKeys.GenerateHubAnchor(folder);
                using EcKey anchor = ProvinceKeys.LoadHubAnchor(folder);
                stdout.WriteLine($"hub anchor  kid {anchor.Kid}  -> {folder}");
            }
            else
            {
                ProvinceKeys.Generate(folder);
                using ProvinceKeys keys = ProvinceKeys.Load(folder);
                stdout.WriteLine($"province {province}: root kid {keys.Root.Kid}, issuer-1 kid {keys.ActiveIssuer.Kid} -> {folder}");
            }

            return CommandLine.Ok;
        }
        catch (IOException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return CommandLine.Failed;
        }
        catch (UnauthorizedAccessException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return CommandLine.Failed;
        }
    }
}
