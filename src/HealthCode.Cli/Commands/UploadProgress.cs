using System.Globalization;
using Spectre.Console;

namespace HealthCode.Cli.Commands;

/// <summary>What <c>batch upload</c> reports while it works: the hashing and the upload in bytes, then the service's apply in rows.</summary>
internal interface IUploadProgress
{
    void Hashing(long bytes, long total);

    void Uploading(long bytes, long total);

    void Applying(BatchStatus status);
}

/// <summary>
/// A live Spectre.Console progress bar when stdout is a terminal; plain lines otherwise (a log file, a pipe, a test), one per
/// tenth of each phase, so a log shows how far a run got without a screen of redraws.
/// </summary>
internal static class UploadProgressView
{
    public static async Task<T> RunAsync<T>(bool live, TextWriter stdout, Func<IUploadProgress, Task<T>> work)
    {
        IAnsiConsole? console = live
            ? AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.Detect, ColorSystem = ColorSystemSupport.Detect, Out = new AnsiConsoleOutput(Console.Out) })
            : null;
        if (console is null || !console.Profile.Capabilities.Interactive)
        {
            return await work(new PlainProgress(stdout)).ConfigureAwait(false);
        }

        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(context => work(new LiveProgress(context)))
            .ConfigureAwait(false);
    }

    private static string Mebibytes(long bytes) => (bytes / 1048576.0).ToString("N1", CultureInfo.InvariantCulture);

    /// <summary>What the service says of the batch: <c>batch     applying, 80,000 of 100,000 rows</c>.</summary>
    private static string ApplyText(BatchStatus status) =>
        string.Create(CultureInfo.InvariantCulture, $"batch     {status.Status}, {status.Applied + status.Rejected:N0} of {status.Rows:N0} rows");

    private sealed class LiveProgress(ProgressContext context) : IUploadProgress
    {
        private ProgressTask? _hashing;
        private ProgressTask? _uploading;
        private ProgressTask? _applying;

        public void Hashing(long bytes, long total) => Bytes(ref _hashing, "hashing  ", bytes, total);

        public void Uploading(long bytes, long total)
        {
            _hashing?.StopTask();
            Bytes(ref _uploading, "uploading", bytes, total);
        }

        public void Applying(BatchStatus status)
        {
            _uploading?.StopTask();
            _applying ??= context.AddTask("batch", autoStart: true, maxValue: 1);
            _applying.MaxValue = Math.Max(status.Rows, 1);
            _applying.Value = status.IsFinal ? _applying.MaxValue : status.Applied + status.Rejected;
            _applying.Description = Markup.Escape(ApplyText(status));
            if (status.IsFinal)
            {
                _applying.StopTask();
            }
        }

        private void Bytes(ref ProgressTask? task, string name, long bytes, long total)
        {
            task ??= context.AddTask(name, autoStart: true, maxValue: Math.Max(total, 1));
            task.Value = total == 0 ? 1 : bytes;
            task.Description = $"{name} {Mebibytes(bytes)} of {Mebibytes(total)} MiB";
        }
    }

    private sealed class PlainProgress(TextWriter stdout) : IUploadProgress
    {
        private int _hashedTenths = -1;
        private int _uploadedTenths = -1;
        private string? _lastApply;

        public void Hashing(long bytes, long total) => Tenths(ref _hashedTenths, "hashing", bytes, total);

        public void Uploading(long bytes, long total) => Tenths(ref _uploadedTenths, "uploading", bytes, total);

        public void Applying(BatchStatus status)
        {
            // A line when the status or the tenth of rows done changes, not once per poll.
            long done = status.Applied + status.Rejected;
            string text = string.Create(CultureInfo.InvariantCulture, $"{status.Status}/{(status.Rows == 0 ? 10 : done * 10 / status.Rows)}");
            if (text != _lastApply)
            {
                _lastApply = text;
                stdout.WriteLine(ApplyText(status));
            }
        }

        private void Tenths(ref int printed, string name, long bytes, long total)
        {
            int tenths = total == 0 ? 10 : (int)(bytes * 10 / total);
            if (tenths > printed)
            {
                printed = tenths;
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-9} {tenths * 10,3}% ({Mebibytes(bytes)} of {Mebibytes(total)} MiB)"));
            }
        }
    }
}
