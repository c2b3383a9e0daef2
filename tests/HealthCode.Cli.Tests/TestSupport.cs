using HealthCode.Trust;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Tokens;

namespace HealthCode.Cli.Tests;

/// <summary>Paths in the repository, found from the test binaries by walking up to HealthCode.sln.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string KeysSample => Path.Combine(Root, "keys-sample");

    /// <summary>A sample key folder: <c>410000</c>, <c>330000</c>, <c>440000</c> or <c>hub</c>. Read it, never write to it.</summary>
    public static string Sample(string folder) => Path.Combine(KeysSample, folder);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HealthCode.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("HealthCode.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder removed on dispose; every test that writes works in one of its own.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hc-cli-tests-" + Guid.NewGuid().ToString("N"));

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    /// <summary>Copies the <c>.jwk</c> files of a sample key folder here, so a command may write beside them (keys-sample stays untouched).</summary>
    /// <param name="sample">The sample folder, e.g. <c>410000</c>.</param>
    /// <param name="only">When given, the file names to copy; else every key file.</param>
    /// <returns>The copy's path.</returns>
    public string CopySample(string sample, params string[] only)
    {
        string target = this[sample];
        Directory.CreateDirectory(target);
        foreach (string file in Directory.EnumerateFiles(RepoPaths.Sample(sample), "*.jwk"))
        {
            if (only.Length == 0 || only.Contains(System.IO.Path.GetFileName(file)))
            {
                File.Copy(file, System.IO.Path.Combine(target, System.IO.Path.GetFileName(file)));
            }
        }

        return target;
    }

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>What one <c>healthcode</c> run answered.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";

    /// <summary>The command failed (exit 1), said <paramref name="reason"/> on stderr, and left <paramref name="file"/> unwritten.</summary>
    public void AssertRefused(string reason, string file) => Assert.Multiple(() =>
    {
        Assert.That(ExitCode, Is.EqualTo(CommandLine.Failed), ToString());
        Assert.That(Stderr, Does.Contain(reason));
        Assert.That(File.Exists(file), Is.False, $"{file} was written");
    });
}

/// <summary>Runs <c>healthcode</c> in-process through <see cref="CommandLine"/>, as <c>Program.cs</c> does, with captured output.</summary>
internal static class Cli
{
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        int exitCode = await CommandLine.RunAsync(args, stdout, stderr, CancellationToken.None).ConfigureAwait(false);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>Health codes signed with the sample issuer keys on the real clock (the commands read <see cref="TimeProvider.System"/>).</summary>
internal static class Codes
{
    public const string MaskedName = "张*艺";
    public const string IdTail = "123X";

    public static HealthCodeClaims Claims(string issuer, DateTimeOffset issuedAt, TimeSpan lifetime, CodeColor color = CodeColor.Green)
    {
        // Whole seconds, as the token carries them, so a verdict's times compare equal to these.
        DateTimeOffset iat = DateTimeOffset.FromUnixTimeSeconds(issuedAt.ToUnixTimeSeconds());
        return new HealthCodeClaims(issuer, "k3J9xQ2mT7vB4nLp", iat, iat + lifetime, color, MaskedName, IdTail, 3);
    }

    /// <summary>The QR text of a code signed by <c>keys-sample/&lt;province&gt;/issuer-1</c>.</summary>
    public static string SignQr(string province, HealthCodeClaims claims)
    {
        using EcKey issuer = EcKey.Load(Path.Combine(RepoPaths.Sample(province), "issuer-1.private.jwk"));
        return new HealthCodeSigner(issuer).SignQr(claims);
    }
}
