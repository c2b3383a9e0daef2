using HealthCode.Cli.Commands;

namespace HealthCode.Cli;

/// <summary>Dispatches <c>healthcode &lt;group&gt; &lt;verb&gt; [options]</c> to a command. Exit codes: 0 ok, 1 failed, 2 usage error.</summary>
internal static class CommandLine
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int UsageError = 2;

    public const string Usage = """
        healthcode: HealthCode operator tool

        Usage:
          healthcode keys generate --province <code> [--out <dir>]   root + issuer-1 key pairs for a province (default dir: ./<code>)
          healthcode keys generate --hub [--out <dir>]               the national hub's anchor key pair (default dir: ./hub)
          healthcode keys thumbprint <file.jwk>...                   print kid and RFC 7638 thumbprint of JWK files
          healthcode --help                                          this text

        Key files are JWK (RFC 7517): <name>.private.jwk (owner-only) and <name>.public.jwk.
        Existing files are never overwritten.
        """;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 1 && args[0] is "--help" or "-h" or "help")
        {
            stdout.WriteLine(Usage);
            return Ok;
        }

        return args switch
        {
            ["keys", "generate", .. var rest] => KeysGenerateCommand.Run(rest, stdout, stderr),
            ["keys", "thumbprint", .. var rest] => KeysThumbprintCommand.Run(rest, stdout, stderr),
            [] => Fail(stderr, "A command is required."),
            _ => Fail(stderr, $"Unknown command: {string.Join(' ', args)}"),
        };
    }

    /// <summary>Reports a usage error with the usage text, exit code 2.</summary>
    public static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine($"error: {message}");
        stderr.WriteLine();
        stderr.WriteLine(Usage);
        return UsageError;
    }
}
