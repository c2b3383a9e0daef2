using System.Diagnostics;

namespace HealthCode.Integration.Tests;

/// <summary>zbarimg (Debian zbar-tools): a QR decoder that shares no code with the service or the pages.</summary>
internal static class Zbar
{
    /// <summary>The text of the one QR in <paramref name="png"/>; fails the test when zbarimg reads none.</summary>
    public static async Task<string> ReadAsync(string png)
    {
        using var zbar = Process.Start(new ProcessStartInfo("zbarimg", ["--raw", "-q", png]) { RedirectStandardOutput = true })!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = (await zbar.StandardOutput.ReadToEndAsync(timeout.Token)).Trim();
        await zbar.WaitForExitAsync(timeout.Token);
        Assert.That(read, Is.Not.Empty, $"zbarimg read a QR in {png}");
        return read;
    }
}
