using System.Diagnostics;

namespace HealthCode.Integration.Tests;

/// <summary>A process a test runs to its end: the CLI, the service refusing to start, promtool, the OpenAPI linter.</summary>
internal static class ProcessRun
{
    /// <summary>
    /// Starts <paramref name="start"/> with its output and errors redirected (and its input, when <paramref name="input"/>
    /// is given, written and closed); its exit code, output and errors. Kills it and fails the test, naming
    /// <paramref name="what"/>, if it outlasts <paramref name="timeout"/>.
    /// </summary>
    public static async Task<(int Exit, string Output, string Errors)> UntilExitAsync(ProcessStartInfo start, TimeSpan timeout, string what, string? input = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = input is not null;
        using var process = Process.Start(start)!;
        using var cancel = new CancellationTokenSource(timeout);
        var output = process.StandardOutput.ReadToEndAsync(cancel.Token);
        var errors = process.StandardError.ReadToEndAsync(cancel.Token);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{what} did not finish within {timeout}.");
        }

        return (process.ExitCode, await output, await errors);
    }
}
