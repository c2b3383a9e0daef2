using HealthCode.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Ctrl+C stops a load test cleanly (it still prints what it measured) instead of killing the process.
    e.Cancel = true;
    cancel.Cancel();
};

return await CommandLine.RunAsync(args, Console.Out, Console.Error, cancel.Token).ConfigureAwait(false);
