using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using HealthCode.Cli.Commands;

namespace HealthCode.Cli;

/// <summary>
/// <c>healthcode &lt;group&gt; &lt;verb&gt; [options]</c> through System.CommandLine. Exit codes: 0 ok, 1 failed, 2 usage error.
/// A usage error is one line on stderr, the reason and where the command's help is, never the whole help: an operator
/// who mistyped one option wants to see which, and a script's log stays readable.
/// </summary>
internal static class CommandLine
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int UsageError = 2;

    public const string Name = "healthcode";

    /// <summary>Runs a command as <c>Program.cs</c> does, on the real clock; a live progress bar only on a terminal.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken) =>
        RunAsync(args, CliContext.For(stdout, stderr), cancellationToken);

    public static async Task<int> RunAsync(string[] args, CliContext cli, CancellationToken cancellationToken)
    {
        Command root = Build(cli);
        // No response files: an argument starting with @ (a reason, a QR text) is itself, never a file to read.
        ParseResult parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });

        // --help wins over any other mistake on the line: whoever asks for help gets it.
        if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
        {
            return Fail(cli, PathOf(parsed.CommandResult), Describe(parsed));
        }

        var invocation = new InvocationConfiguration { Output = cli.Out, Error = cli.Error, EnableDefaultExceptionHandler = false };
        return await parsed.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reports a usage error in one line with a hint to the command's help; exit code 2.</summary>
    /// <param name="cli">Where the line goes.</param>
    /// <param name="command">The command's path below <c>healthcode</c>, e.g. <c>batch upload</c>.</param>
    /// <param name="reason">What is wrong, a sentence ending in a full stop.</param>
    public static int Fail(CliContext cli, string command, string reason)
    {
        string help = command.Length == 0 ? $"{Name} --help" : $"{Name} {command} --help";
        cli.Error.WriteLine($"{Name}: {reason} Try '{help}'.");
        return UsageError;
    }

    /// <summary>
    /// The command tree. Its root is a plain command named <c>healthcode</c> rather than a RootCommand, which takes its name
    /// from the executable: run through <c>dotnet healthcode.dll</c> or a test host, the help would name that instead.
    /// </summary>
    private static Command Build(CliContext cli)
    {
        var root = new Command(Name,
            """
            HealthCode operator tool: province keys, signed trust and federation lists, department batches, offline verify and a load test.
            Key files are JWK (RFC 7517): <name>.private.jwk (owner-only) and <name>.public.jwk; existing key files are never overwritten.
            Formats: docs/TOKEN-FORMAT.md, docs/TRUST-LIST-FORMAT.md, docs/FEDERATION-FORMAT.md, docs/BATCH-FORMAT.md.
            Exit codes: 0 done (verify: valid), 1 failed (verify: invalid), 2 usage error.
            """)
        {
            new HelpOption(),
            Group("keys", "Province, hub and department key pairs: generate, thumbprint, rotate, revoke; privacy keys for personal data at rest.",
                KeysGenerateCommand.Create(cli), KeysThumbprintCommand.Create(cli), KeysRotateCommand.Create(cli), KeysRevokeCommand.Create(cli),
                KeysPrivacyCommand.Create(cli)),
            Group("trust-list", "The province's signed trust list.", TrustListSignCommand.Create(cli)),
            Group("federation", "The national hub's signed federation list.", FederationSignCommand.Create(cli)),
            Group("batch", "A department's data batches: sign a manifest, upload a batch.", BatchSignCommand.Create(cli), BatchUploadCommand.Create(cli)),
            VerifyCommand.Create(cli),
            Group("load", "Load tests on this machine.", LoadVerifyCommand.Create(cli)),
        };
        return root;
    }

    private static Command Group(string name, string description, params Command[] verbs)
    {
        var group = new Command(name, description);
        foreach (Command verb in verbs)
        {
            group.Subcommands.Add(verb);
        }

        return group;
    }

    /// <summary>The one reason a line did not parse, in the words an operator types.</summary>
    private static string Describe(ParseResult parsed)
    {
        Command command = parsed.CommandResult.Command;
        if (parsed.UnmatchedTokens.Count > 0)
        {
            string token = parsed.UnmatchedTokens[0];
            return token.Length > 1 && token[0] == '-' ? $"unknown option '{token}'."
                : command.Subcommands.Count > 0 ? $"unknown command '{Join(PathOf(parsed.CommandResult), token)}'."
                : $"unexpected argument '{token}'.";
        }

        if (command.Subcommands.Count > 0 && command.Action is null)
        {
            string path = PathOf(parsed.CommandResult);
            string verbs = string.Join(", ", command.Subcommands.Select(c => c.Name));
            return path.Length == 0 ? $"a command is required: {verbs}." : $"'{Name} {path}' needs a command: {verbs}.";
        }

        return parsed.Errors[0].Message;
    }

    /// <summary>The command's path below the root, e.g. <c>batch upload</c>; empty for the root.</summary>
    private static string PathOf(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? at = result; at is CommandResult { Parent: var parent } command; at = parent)
        {
            names.Add(command.Command.Name);
        }

        names.RemoveAt(names.Count - 1); // healthcode itself
        names.Reverse();
        return string.Join(' ', names);
    }

    private static string Join(string path, string token) => path.Length == 0 ? token : $"{path} {token}";
}
