using System.CommandLine;
using HealthCode.Trust;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;

namespace HealthCode.Cli.Commands;

/// <summary>
/// <c>healthcode verify &lt;qr text | file.png&gt; --trust &lt;folder&gt; [--province &lt;iss&gt;]</c>: an offline verdict with no
/// network (issue 3 §6). Loads the trust lists of the folder (<see cref="TrustFolder"/> layout), verifies, and prints the
/// same verdict JSON as <c>POST /api/v1/verify</c>. Exit 0 valid, 1 invalid, 2 usage error.
/// </summary>
/// <remarks>
/// Offline, a checkpoint's own province's keys come from its own signed list in the folder, checked against its pinned
/// root like any other. <c>--province</c> names that province, so that its codes say <c>source: "local"</c> as the
/// service's verdict does; without it every code is a partner's, since the folder alone cannot tell.
/// </remarks>
internal static class VerifyCommand
{
    /// <summary>The clock skew for codes and lists: a checkpoint PC's clock may be off a little.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public static Command Create(CliContext cli)
    {
        var code = new Argument<string>("qr text | file.png") { Description = "The code's QR text, or a photo or screenshot of it (.png)" }.RefuseOptions();
        var trust = CliOptions.Required(
            "--trust", "folder", "<folder>/<iss>/root.public.jwk pins each province's root, <folder>/<iss>/trust-list.jws is its signed list");
        var province = CliOptions.Optional("--province", "iss", "This checkpoint's own province, whose codes show source \"local\"");
        var command = new Command(
            "verify", "An offline verdict as JSON, with no network: exit 0 valid, 1 invalid, 2 usage error.") { code, trust, province };
        command.SetAction(parsed => Run(cli, parsed.GetRequiredValue(code), parsed.GetRequiredValue(trust), parsed.GetValue(province)));
        return command;
    }

    private static int Run(CliContext cli, string input, string trustFolder, string? province)
    {
        TextWriter stdout = cli.Out;
        TextWriter stderr = cli.Error;
        TimeProvider time = cli.Time;
        if (input.Length == 0 || trustFolder.Length == 0)
        {
            return CommandLine.Fail(cli, "verify", "give the QR text (or a .png file) and --trust <folder>, neither of them empty.");
        }

        if (province is not null && !IssuerId.IsValid(province))
        {
            return CommandLine.Fail(cli, "verify", $"--province must be a 6-digit GB/T 2260 code, not \"{province}\".");
        }

        if (!Directory.Exists(trustFolder))
        {
            return CommandLine.Fail(cli, "verify", $"trust folder {trustFolder} does not exist.");
        }

        bool isImage = input.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || File.Exists(input);
        if (isImage && !File.Exists(input))
        {
            return CommandLine.Fail(cli, "verify", $"file {input} does not exist.");
        }

        var store = new TrustStore();
        TrustFolderReport report = TrustFolder.Load(trustFolder, store, time, ClockSkew);
        foreach (TrustFolderRejection rejected in report.Rejected)
        {
            string whose = rejected.Issuer == province ? "own province" : "partner";
            stderr.WriteLine($"warning: {whose} {rejected.Issuer} not trusted: {rejected.Reason}");
        }

        if (province is not null && !report.Loaded.Contains(province))
        {
            stderr.WriteLine($"warning: no trusted list of the own province {province} in {trustFolder}: its codes cannot verify offline.");
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

        var verdict = Verdict.From(result, store);
        if (verdict.Valid && verdict.Issuer == province)
        {
            verdict = verdict with { Source = Verdict.LocalSource };
        }

        stdout.WriteLine(Verdict.ToJson(verdict));
        return result.IsValid ? CommandLine.Ok : CommandLine.Failed;
    }
}
