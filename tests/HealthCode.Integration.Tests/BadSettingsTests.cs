namespace HealthCode.Integration.Tests;

/// <summary>
/// Issue 12 item 5: a bad setting stops the real service process with one line naming the setting, its allowed range and
/// the value it was given, exit code 78 (EX_CONFIG), no stack trace, and nothing written to the store.
/// </summary>
[TestFixture]
public sealed class BadSettingsTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    [TestCase("HealthCode__Codes__TokenLifetime", "00:00:05",
        "HealthCode:Codes:TokenLifetime must be between 00:00:30 and 00:30:00 (got 00:00:05).")]
    [TestCase("HealthCode__Audit__RetentionDays", "0",
        "HealthCode:Audit:RetentionDays must be between 1 and 3650 (got 0).")]
    [TestCase("HealthCode__Otp__PerAddress__Limit", "0",
        "HealthCode:Otp:PerAddress:Limit must be between 1 and 1000000 (got 0).")]
    [TestCase("HealthCode__Operators__TokenLifetime", "00:00:01",
        "HealthCode:Operators:TokenLifetime must be between 01:00:00 and 90.00:00:00 (got 00:00:01).")]
    [TestCase("HealthCode__Province__Code", "41",
        "HealthCode:Province:Code must match ^\\d{2}0000$ (got \"41\").")]
    [TestCase("HealthCode__Codes__TokenLifetime", "five minutes",
        "Failed to convert configuration value 'five minutes' at 'HealthCode:Codes:TokenLifetime' to type 'System.TimeSpan'.")]
    [TestCase("HealthCode__Admin__ApiKey", "too-short",
        "HealthCode:Admin:ApiKey must be at least 16 characters.")]
    [TestCase("HealthCode__Keys__Path", "/nonexistent/healthcode-keys",
        "HealthCode:Keys:Path '/nonexistent/healthcode-keys' does not exist. Point it at the folder of this province's keys.")]
    [TestCase("ASPNETCORE_ENVIRONMENT", "Production",
        "Refusing to start in Production with a public sample key from keys-sample/: HealthCode:Keys:Path = '*'. Sample keys are for Development only; *")]
    [TestCase("ConnectionStrings__HealthCode", "Database=healthcode",
        "ConnectionStrings:HealthCode must name either a PostgreSQL server (Host=...;Database=...) or a SQLite file (Data Source=...), not neither.")]
    [TestCase("ConnectionStrings__HealthCode", "Host=127.0.0.1;Data Source=hc.db",
        "ConnectionStrings:HealthCode must name either a PostgreSQL server (Host=...;Database=...) or a SQLite file (Data Source=...), not both.")]
    public Task ABadSetting_StopsTheService_WithOneLineNamingIt(string variable, string value, string problem) =>
        AssertRefusedAsync(new Dictionary<string, string?> { [variable] = value }, problem);

    /// <summary>
    /// Starts the real service with <paramref name="environment"/> on top of the defaults and asserts that it stops with
    /// exit 78 and the one line <paramref name="problem"/> (a '*' in it stands for text that depends on this machine).
    /// </summary>
    internal static async Task AssertRefusedAsync(Dictionary<string, string?> environment, string problem)
    {
        var data = Directory.CreateTempSubdirectory("healthcode-it-settings-").FullName;
        try
        {
            var options = new ApiProcessOptions { DataDirectory = data, Environment = environment };

            var (exit, output, errors) = await ApiProcess.RunUntilExitAsync(options, ExitTimeout);

            Assert.Multiple(() =>
            {
                Assert.That(exit, Is.EqualTo(78), $"stdout: {output}\nstderr: {errors}");
                // A '*' in the expected line stands for text that depends on this machine (a path, a long remedy).
                Assert.That(errors, Does.Match($"^{System.Text.RegularExpressions.Regex.Escape($"HealthCode cannot start: {problem}").Replace("\\*", ".*", StringComparison.Ordinal)}{Environment.NewLine}$"),
                    "one line, nothing else");
                Assert.That(output, Does.Not.Contain("   at ").And.Not.Contain("Exception"), "no stack trace on stdout either");
                Assert.That(Directory.EnumerateFileSystemEntries(data), Is.Empty, "refused before the store was opened");
            });
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
