using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;

namespace HealthCode.Cli.Commands;

/// <summary>
/// <c>healthcode verify &lt;qr text | file.png&gt; --trust &lt;folder&gt;</c>: an offline verdict with no network (issue 3 §6).
/// Loads the partner trust lists of the folder (<see cref="TrustFolder"/> layout), verifies, and prints the
/// same verdict JSON as <c>POST /api/v1/verify</c>. Exit 0 valid, 1 invalid, 2 usage error.
/// </summary>
internal static class VerifyCommand
{
    /// <summary>The clock skew for codes and lists: a checkpoint PC's clock may be off a little.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        CommandArgs? parsed = CommandArgs.Parse(args, ["--trust"], [], out string? error);
        if (parsed is null)
        {
            return CommandLine.Fail(stderr, $"verify: {error}");
        }

        string? trustFolder = parsed.Value("--trust");
        if (parsed.Positional.Count != 1 || trustFolder is null)
        {
            return CommandLine.Fail(stderr, "verify: give the QR text (or a .png file) and --trust <folder>.");
        }

        if (!Directory.Exists(trustFolder))
        {
            return CommandLine.Fail(stderr, $"verify: trust folder {trustFolder} does not exist.");
        }

        string input = parsed.Positional[0];
        bool isImage = input.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || File.Exists(input);
        if (isImage && !File.Exists(input))
        {
            return CommandLine.Fail(stderr, $"verify: file {input} does not exist.");
        }

        var store = new TrustStore();
        TrustFolderReport report = TrustFolder.Load(trustFolder, store, time, ClockSkew);
        foreach (TrustFolderRejection rejected in report.Rejected)
        {
            stderr.WriteLine($"warning: partner {rejected.Issuer} not trusted: {rejected.Reason}");
        }

        VerificationResult result;
        if (isImage && !QrImage.TryRead(input, out input, out string imageError))
        {
            // An unreadable image is an unreadable scan: the verdict says malformed, as the API would.
            stderr.WriteLine($"warning: {imageError}");
            result = VerificationResult.Failure(VerificationError.Malformed);
        }
        else
        {
            result = new HealthCodeVerifier(store, time, ClockSkew).Verify(input);
        }

        stdout.WriteLine(Verdict.ToJson(Verdict.From(result, store)));
        return result.IsValid ? CommandLine.Ok : CommandLine.Failed;
    }
}
