using HealthCode.Cli.Commands;

namespace HealthCode.Cli;

/// <summary>What a command runs with: its output, the clock, whether a live progress bar may draw, and the upload's timings.</summary>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="Time">The clock (tests may give a fixed one).</param>
/// <param name="Live">Whether <c>batch upload</c> may draw a live progress bar.</param>
/// <param name="Upload">The timings of <c>batch upload</c>; tests shorten them.</param>
internal sealed record CliContext(TextWriter Out, TextWriter Error, TimeProvider Time, bool Live, UploadSettings Upload)
{
    /// <summary>The real clock and timings; a live progress bar only on a terminal: a pipe, a log file or a test gets plain lines.</summary>
    public static CliContext For(TextWriter stdout, TextWriter stderr) =>
        new(stdout, stderr, TimeProvider.System, Live: ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected, UploadSettings.Default);
}
