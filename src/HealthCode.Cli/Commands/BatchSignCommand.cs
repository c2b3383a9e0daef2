using System.CommandLine;
using System.Text;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Sharing;

namespace HealthCode.Cli.Commands;

/// <summary>
/// <c>healthcode batch sign --key &lt;dept.private.jwk&gt; --source &lt;catalogue code&gt; --file &lt;data.csv|ndjson&gt;
/// [--batch-id &lt;id&gt;] [--out &lt;manifest.jws&gt;]</c>: reads the body once to hash it and count its rows, and writes the
/// manifest the department signs for it (DESIGN §9, docs/BATCH-FORMAT.md), e.g. on the machine that holds the key, for
/// <c>batch upload --manifest</c> elsewhere.
/// </summary>
internal static class BatchSignCommand
{
    public const string ManifestSuffix = ".manifest.jws";

    public static Command Create(CliContext cli)
    {
        var key = CliOptions.Required("--key", "dept.private.jwk", "The department's private key");
        (Option<string> source, Option<string> file, Option<string> batchId) = BatchBody.InputOptions();
        var output = CliOptions.Optional("--out", "manifest.jws", "The manifest to write (default <file>.manifest.jws; never overwritten)");
        var command = new Command(
            "sign", "Read the batch file once (SHA-256 and rows) and write its signed Sharing-Manifest, e.g. for 'batch upload --manifest' elsewhere.")
        {
            key, source, file, batchId, output,
        };
        command.SetAction(parsed => Run(
            cli, parsed.GetRequiredValue(key), parsed.GetRequiredValue(source), parsed.GetRequiredValue(file), parsed.GetValue(batchId), parsed.GetValue(output)));
        return command;
    }

    private static int Run(CliContext cli, string keyFile, string source, string file, string? batchId, string? outputFile)
    {
        TextWriter stdout = cli.Out;
        TextWriter stderr = cli.Error;
        DateTimeOffset now = cli.Time.GetUtcNow();
        BatchInput? input = BatchBody.ReadInput(source, file, batchId, now, out string? error);
        error = keyFile.Length == 0 ? "--key needs a file name."
            : outputFile is "" ? "--out needs a file name."
            : error;
        if (error is not null || input is null)
        {
            return CommandLine.Fail(cli, "batch sign", error ?? "the batch cannot be read.");
        }

        string output = outputFile ?? input.File + ManifestSuffix;
        try
        {
            // A manifest is a signature the department answers for: one is never replaced by another.
            if (File.Exists(output))
            {
                stderr.WriteLine($"error: {output} exists already; a signed manifest is never overwritten.");
                return CommandLine.Failed;
            }

            using EcKey key = EcKey.Load(keyFile);
            if (!key.HasPrivateKey)
            {
                stderr.WriteLine($"error: {keyFile} holds no private key; sign with the department's .private.jwk.");
                return CommandLine.Failed;
            }

            BodyDigest digest = BatchBody.Digest(input, progress: null, CancellationToken.None);
            string manifest = BatchBody.SignManifest(input, digest, key, now);
            AtomicFile.Create(output, manifest + "\n", ownerOnly: false);
            stdout.WriteLine(
                $"manifest for {input.Source} batch {input.BatchId}: {digest.Rows} rows, {digest.Length} bytes, sha256 {digest.Sha256}, signed by {key.Kid} -> {output}");
            if (SampleKeys.IsSample(key))
            {
                stderr.WriteLine($"warning: {keyFile} is a public sample key from keys-sample/: anyone can sign with it.");
            }

            return CommandLine.Ok;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidKeyException or InvalidDataException)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return CommandLine.Failed;
        }
    }

    /// <summary>The UTF-8 text of a manifest file, without its line end; null when it is larger than a manifest can be.</summary>
    public static string? ReadManifestFile(string path)
    {
        if (new FileInfo(path).Length > BatchManifestCodec.MaxLength + 2)
        {
            return null;
        }

        return File.ReadAllText(path, Encoding.UTF8).Trim();
    }
}
