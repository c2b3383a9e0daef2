using System.CommandLine;
using HealthCode.Trust;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Sharing;

namespace HealthCode.Cli.Commands;

/// <summary><c>healthcode keys generate --province &lt;code&gt; | --hub | --department &lt;code&gt; [--out &lt;dir&gt;]</c>.</summary>
internal static class KeysGenerateCommand
{
    private const string Verb = "keys generate";

    public static Command Create(CliContext cli)
    {
        var province = CliOptions.Optional("--province", "code", "A province's root and issuer-1 key pairs, for its 6-digit GB/T 2260 code (default folder ./<code>)");
        var hub = new Option<bool>("--hub") { Description = "The national hub's anchor key pair (default folder ./hub)" };
        var department = CliOptions.Optional(
            "--department", "code", "A department's batch-signing key pair, <code>.private.jwk and <code>.public.jwk, for codes like CDC or LAB-01 (default folder ./<code>)");
        var output = CliOptions.Optional("--out", "dir", "The folder to write the key files into");
        var command = new Command("generate", "New key pairs for a province, the hub or a department: exactly one of --province, --hub, --department.")
        {
            province, hub, department, output,
        };
        command.SetAction(parsed => Run(cli, parsed.GetValue(province), parsed.GetValue(hub), parsed.GetValue(department), parsed.GetValue(output)));
        return command;
    }

    private static int Run(CliContext cli, string? province, bool hub, string? department, string? output)
    {
        TextWriter stdout = cli.Out;
        TextWriter stderr = cli.Error;
        if ((hub ? 1 : 0) + (province is null ? 0 : 1) + (department is null ? 0 : 1) != 1)
        {
            return CommandLine.Fail(cli, Verb, "give exactly one of --province <code>, --hub or --department <code>.");
        }

        if (output is "")
        {
            return CommandLine.Fail(cli, Verb, "--out needs a folder name.");
        }

        // DESIGN §9: CDC, GA, WJW, JT, LAB-01. The code names the key files, so it never holds a path separator.
        if (department is not null && !DepartmentCode.IsValid(department))
        {
            return CommandLine.Fail(cli, Verb, $"--department must be 1-{DepartmentCode.MaxLength} capital letters, digits and '-', like CDC or LAB-01, not \"{department}\".");
        }

        // DESIGN §4.1: a province is its 6-digit GB/T 2260 code, e.g. 410000.
        if (province is not null && !IssuerId.IsValid(province))
        {
            return CommandLine.Fail(cli, Verb, $"--province must be a 6-digit GB/T 2260 code, not \"{province}\".");
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
