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
          healthcode keys generate --department <code> [--out <dir>]  a department's batch-signing key pair, <code>.private.jwk and
                                                                     <code>.public.jwk (default dir: ./<code>; codes like CDC, LAB-01)
          healthcode keys thumbprint <file.jwk>...                   print kid and RFC 7638 thumbprint of JWK files
          healthcode keys rotate --keys <dir>                        new active issuer-(N+1); the active key becomes retired (keys.json)
          healthcode keys revoke <kid> --reason "<text>" --keys <dir>
                                                                     mark a compromised issuer key revoked in keys.json; the active key
                                                                     is refused: rotate first
          healthcode trust-list sign --keys <dir> --province <code> --name <name> --seq <n> [--days 7] [--revoke <kid>]... --out <file>
                                                                     sign the province's trust list with root.private.jwk (works offline):
                                                                     statuses from keys.json (retired keys listed until retiredAt + 7 days,
                                                                     revoked keys always); without keys.json the highest issuer-N with a
                                                                     private key is active (else the highest N), the others retired;
                                                                     --revoke <kid> marks a key revoked in this list only
          healthcode federation sign --anchor <dir> --members <members.json> --seq <n> [--days 7] --out <file>
                                                                     the hub's federation list, signed with anchor.private.jwk;
                                                                     members.json: {"members":[{iss,name,rootKey,trustListUrl,status}]}
                                                                     (rootKey: a public JWK or a .public.jwk path)
          healthcode batch sign --key <dept.private.jwk> --source <catalogue code> --file <data.csv|data.ndjson>
                                [--batch-id <id>] [--out <manifest.jws>]
                                                                     read the file once (SHA-256 and rows) and write its signed
                                                                     Sharing-Manifest (default <file>.manifest.jws, never overwritten)
          healthcode batch upload --url <service> --token <operator token> --key <dept.private.jwk> --source <code>
                                  --file <data.csv|data.ndjson> [--batch-id <id>] [--manifest <file>] [--wait 600]
                                                                     sign (or check the --manifest against the file and key), stream
                                                                     the file to POST <url>/api/v1/sources/<code>/batches, follow the
                                                                     batch until applied or rejected (at most --wait seconds) and
                                                                     print its row errors; exit 0 applied, 1 rejected or failed,
                                                                     2 usage error
          healthcode verify <qr text | file.png> --trust <folder> [--province <iss>]
                                                                     offline verdict as JSON, no network; <folder>/<iss>/root.public.jwk
                                                                     pins each province's root, <folder>/<iss>/trust-list.jws is its list;
                                                                     --province: this checkpoint's own, whose codes show source "local"
                                                                     exit 0 valid, 1 invalid, 2 usage error
          healthcode load verify --url http://127.0.0.1:<port> --token <staff token> [--checkpoint CP1]
                                 [--seconds 10] [--warmup 3] [--concurrency 8] [--keys keys-sample/410000] [--province 410000] [--json]
                                                                     load test of POST /api/v1/verify on this machine (loopback only,
                                                                     at most 300 s and 256 concurrent): req/s, p50, p99, errors, and the
                                                                     ratio to the single-thread raw ECDsa.VerifyData rate
          healthcode --help                                          this text

        Key files are JWK (RFC 7517): <name>.private.jwk (owner-only) and <name>.public.jwk.
        Existing key files are never overwritten. Formats: docs/TOKEN-FORMAT.md, docs/TRUST-LIST-FORMAT.md,
        docs/FEDERATION-FORMAT.md, docs/BATCH-FORMAT.md.
        """;

    /// <summary>Runs a command; the load test and the batch upload are asynchronous, awaited here rather than blocked on.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken) => args switch
    {
        ["load", "verify", .. var rest] => LoadVerifyCommand.RunAsync(rest, stdout, stderr, TimeProvider.System, cancellationToken),
        // A live progress bar only on a terminal: a pipe, a log file or a test gets plain lines.
        ["batch", "upload", .. var rest] => BatchUploadCommand.RunAsync(
            rest, stdout, stderr, TimeProvider.System, live: ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected, cancellationToken),
        _ => Task.FromResult(Run(args, stdout, stderr)),
    };

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
            ["keys", "rotate", .. var rest] => KeysRotateCommand.Run(rest, stdout, stderr, TimeProvider.System),
            ["keys", "revoke", .. var rest] => KeysRevokeCommand.Run(rest, stdout, stderr, TimeProvider.System),
            ["federation", "sign", .. var rest] => FederationSignCommand.Run(rest, stdout, stderr, TimeProvider.System),
            ["trust-list", "sign", .. var rest] => TrustListSignCommand.Run(rest, stdout, stderr, TimeProvider.System),
            ["verify", .. var rest] => VerifyCommand.Run(rest, stdout, stderr, TimeProvider.System),
            ["batch", "sign", .. var rest] => BatchSignCommand.Run(rest, stdout, stderr, TimeProvider.System),
            ["load", "verify", ..] => Fail(stderr, "load verify runs through RunAsync."),
            ["batch", "upload", ..] => Fail(stderr, "batch upload runs through RunAsync."),
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
