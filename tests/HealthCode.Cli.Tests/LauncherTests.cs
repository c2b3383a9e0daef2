using System.Diagnostics;

namespace HealthCode.Cli.Tests;

/// <summary>
/// <c>./healthcode</c>, the launcher in the repository root that the README's <c>healthcode …</c> lines run: it builds the
/// tool once into its own folder outside the work tree, then passes the arguments and the exit code through.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class LauncherTests
{
    // The first run builds the tool (HealthCode.Trust and the CLI) from nothing: generous on a shared 2-core machine.
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(8);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(1);

    private TempFolder _build = null!;

    [OneTimeSetUp]
    public void CreateBuildFolder() => _build = new TempFolder();

    [OneTimeTearDown]
    public void RemoveBuildFolder() => _build.Dispose();

    [Test, Order(1)]
    public async Task FirstRun_BuildsTheTool_OutsideTheWorkTree_AndRunsIt()
    {
        CliResult run = await Launch(BuildTimeout, "--help");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(CommandLine.Ok), run.ToString());
            Assert.That(run.Stdout, Does.StartWith("Description:").And.Contain("healthcode [command] [options]"), "the tool's help, no build output before it");
            Assert.That(run.Stderr, Is.Empty);
            Assert.That(File.Exists(Path.Combine(_build.Path, "bin", "HealthCode.Cli", "release", "healthcode.dll")), Is.True, "built in HEALTHCODE_CLI_BUILD");
            Assert.That(Directory.Exists(Path.Combine(RepoPaths.Root, "artifacts")), Is.False, "nothing built into the clone");
        });
    }

    [Test, Order(2)]
    public async Task PassesTheArguments_AsGiven()
    {
        using var keys = new TempFolder();
        string folder = keys["with space"];

        CliResult run = await Launch(RunTimeout, "keys", "generate", "--department", "LAB-01", "--out", folder);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(CommandLine.Ok), run.ToString());
            Assert.That(File.Exists(Path.Combine(folder, "LAB-01.public.jwk")), Is.True, "one argument with a space, not two");
        });
    }

    [TestCase(CommandLine.Failed, "keys", "thumbprint", "no-such-key.public.jwk")]
    [TestCase(CommandLine.UsageError, "batch", "upload", "--fo")]
    public async Task PassesTheExitCode_Through(int exitCode, params string[] args)
    {
        CliResult run = await Launch(RunTimeout, args);

        Assert.That(run.ExitCode, Is.EqualTo(exitCode), run.ToString());
    }

    [Test]
    public async Task AUsageError_IsOneLine_WithAHint()
    {
        CliResult run = await Launch(RunTimeout, "batch", "upload", "--fo");

        Assert.That(run.Stderr, Is.EqualTo($"healthcode: unknown option '--fo'. Try 'healthcode batch upload --help'.{Environment.NewLine}"), run.ToString());
    }

    /// <summary>Runs <c>./healthcode</c> from the repository root with its build folder in <see cref="_build"/>.</summary>
    private async Task<CliResult> Launch(TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(RepoPaths.Root, "healthcode"))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
            Environment = { ["HEALTHCODE_CLI_BUILD"] = _build.Path },
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        using var cancel = new CancellationTokenSource(timeout);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancel.Token);
        Task<string> stderr = process.StandardError.ReadToEndAsync(cancel.Token);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"./healthcode {string.Join(' ', args)} did not finish within {timeout}.");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
