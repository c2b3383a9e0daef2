using HealthCode.Trust;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Sharing;

namespace HealthCode.Cli.Commands;

/// <summary><c>healthcode keys generate --province &lt;code&gt; | --hub | --department &lt;code&gt; [--out &lt;dir&gt;]</c>.</summary>
internal static class KeysGenerateCommand
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? province = null;
        string? department = null;
        string? output = null;
        bool hub = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--province" when i + 1 < args.Length && province is null:
                    province = args[++i];
                    break;
                case "--department" when i + 1 < args.Length && department is null:
                    department = args[++i];
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

        if ((hub ? 1 : 0) + (province is null ? 0 : 1) + (department is null ? 0 : 1) != 1)
        {
            return CommandLine.Fail(stderr, "keys generate: give exactly one of --province <code>, --hub or --department <code>.");
        }

        // DESIGN §9: CDC, GA, WJW, JT, LAB-01. The code names the key files, so it never holds a path separator.
        if (department is not null && !DepartmentCode.IsValid(department))
        {
            return CommandLine.Fail(stderr, $"keys generate: --department must be 1-{DepartmentCode.MaxLength} capital letters, digits and '-', like CDC or LAB-01, not \"{department}\".");
        }

        // DESIGN §4.1: a province is its 6-digit GB/T 2260 code, e.g. 410000.
        if (province is not null && !IssuerId.IsValid(province))
        {
            return CommandLine.Fail(stderr, $"keys generate: --province must be a 6-digit GB/T 2260 code, not \"{province}\".");
        }

        string folder = Path.GetFullPath(output ?? province ?? department ?? "hub");
        try
        {
            if (department is not null)
            {
                // A department signs its batches with one key pair, <code>.private.jwk and <code>.public.jwk (DESIGN §4.4, §9);
                // the public file is what an operator registers (POST /api/v1/admin/departments).
                using EcKey key = EcKey.Generate();
                KeyFolder.WritePair(folder, department, key);
                stdout.WriteLine($"department {department}  kid {key.Kid}  -> {folder}");
            }
            else if (hub)
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
