using System.CommandLine;
using HealthCode.Trust.Keys;

namespace HealthCode.Cli.Commands;

/// <summary><c>healthcode keys thumbprint &lt;file.jwk&gt;...</c>: kid, RFC 7638 thumbprint and whether it is a sample key.</summary>
internal static class KeysThumbprintCommand
{
    public static Command Create(CliContext cli)
    {
        var files = new Argument<string[]>("file.jwk") { Description = "JWK files, public or private", Arity = ArgumentArity.OneOrMore }.RefuseOptions();
        var command = new Command("thumbprint", "Print the kid and RFC 7638 thumbprint of JWK files, and whether each is a public sample key.") { files };
        command.SetAction(parsed => Run(cli, parsed.GetValue(files) ?? []));
        return command;
    }

    private static int Run(CliContext cli, string[] args)
    {
        TextWriter stdout = cli.Out;
        TextWriter stderr = cli.Error;
        if (args.Any(a => a.Length == 0))
        {
            return CommandLine.Fail(cli, "keys thumbprint", "give one or more .jwk files, not an empty name.");
        }

        int exitCode = CommandLine.Ok;
        foreach (string path in args)
        {
            try
            {
                using EcKey key = EcKey.Load(path);
                string sample = SampleKeys.IsSample(key) ? "  (SAMPLE key)" : string.Empty;
                stdout.WriteLine($"{key.Kid}  {key.Thumbprint}  {path}{sample}");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidKeyException)
            {
                stderr.WriteLine($"error: {ex.Message}");
                exitCode = CommandLine.Failed;
            }
        }

        return exitCode;
    }
}
