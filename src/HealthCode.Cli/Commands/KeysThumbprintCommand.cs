using HealthCode.Trust.Keys;

namespace HealthCode.Cli.Commands;

/// <summary><c>healthcode keys thumbprint &lt;file.jwk&gt;...</c>: kid, RFC 7638 thumbprint and whether it is a sample key.</summary>
internal static class KeysThumbprintCommand
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args.Any(a => a.Length == 0 || a.StartsWith('-')))
        {
            return CommandLine.Fail(stderr, "keys thumbprint: give one or more .jwk files.");
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
