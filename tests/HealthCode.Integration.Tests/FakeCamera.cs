using System.Diagnostics;

namespace HealthCode.Integration.Tests;

/// <summary>
/// A video for Chromium's fake camera (<c>--use-file-for-fake-video-capture</c>), made with ffmpeg
/// from a QR image the service issued: what a phone held up to a checkpoint camera looks like.
/// </summary>
internal static class FakeCamera
{
    /// <summary>
    /// Writes <paramref name="qrPng"/> and a 640×640 .y4m (Chromium's uncompressed input format) of
    /// it into <paramref name="directory"/>: the QR scaled without smoothing to 480 px, so modules
    /// stay sharp, on a white border, 2 s at 10 frames/s, which the fake device plays in a loop.
    /// </summary>
    public static async Task<string> VideoOfAsync(byte[] qrPng, string directory)
    {
        var png = Path.Combine(directory, "qr.png");
        var y4m = Path.Combine(directory, "qr.y4m");
        await File.WriteAllBytesAsync(png, qrPng);

        var startInfo = new ProcessStartInfo("ffmpeg")
        {
            UseShellExecute = false,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
                 {
                     "-hide_banner", "-loglevel", "error", "-y",
                     "-loop", "1", "-i", png,
                     "-vf", "scale=480:480:flags=neighbor,pad=640:640:80:80:white,format=yuv420p",
                     "-t", "2", "-r", "10", "-f", "yuv4mpegpipe", y4m,
                 })
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var ffmpeg = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start ffmpeg");
        var stderr = ffmpeg.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await ffmpeg.WaitForExitAsync(timeout.Token);
        Assert.That(ffmpeg.ExitCode, Is.Zero, $"ffmpeg failed: {await stderr}");
        Assert.That(new FileInfo(y4m).Length, Is.GreaterThan(640 * 640), "ffmpeg wrote frames");
        return y4m;
    }
}
