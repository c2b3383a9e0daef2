using HealthCode.Trust.Privacy;

namespace HealthCode.Cli.Tests;

/// <summary><c>healthcode keys privacy</c>: the privacy key folder of DESIGN §11 (keys-sample/privacy/README.md).</summary>
public sealed class KeysPrivacyCommandTests
{
    [Test]
    public async Task TheFirstDataKey_IsCurrent_ANewOneIsNotUntilAsked_AndKeysAreOwnerOnly()
    {
        using var temp = new TempFolder();
        string folder = temp["privacy"];

        CliResult first = await Cli.RunAsync("keys", "privacy", "--out", folder, "--data");
        CliResult index = await Cli.RunAsync("keys", "privacy", "--out", folder, "--index");
        CliResult second = await Cli.RunAsync("keys", "privacy", "--out", folder, "--data");

        Assert.That(new[] { first.ExitCode, index.ExitCode, second.ExitCode }, Is.All.EqualTo(CommandLine.Ok), $"{first}\n{index}\n{second}");
        var keys = PrivacyKeyFolder.ReadAll(folder);
        string firstKid = keys.Single(k => k.Use == PrivacyKeyUse.Data && first.Stdout.Contains(k.Kid, StringComparison.Ordinal)).Kid;
        string secondKid = keys.Single(k => k.Use == PrivacyKeyUse.Data && k.Kid != firstKid).Kid;
        Assert.Multiple(() =>
        {
            Assert.That(keys.Count(k => k.Use == PrivacyKeyUse.Index), Is.EqualTo(1));
            Assert.That(first.Stdout, Does.Contain($"data key {firstKid} (current)"));
            Assert.That(second.Stdout, Does.Contain($"data key {secondKid} (not current yet)"));
            Assert.That(PrivacyKeyFolder.ReadCurrent(folder), Is.EqualTo(firstKid), "a new key is not current until every instance has it");
        });
        KeysCommandTests.AssertOwnerOnly([.. Directory.EnumerateFiles(folder, "*.json")]);

        CliResult switched = await Cli.RunAsync("keys", "privacy", "--out", folder, "--current", secondKid);

        Assert.That(switched.ExitCode, Is.EqualTo(CommandLine.Ok), switched.ToString());
        Assert.That(PrivacyKeyFolder.ReadCurrent(folder), Is.EqualTo(secondKid));
    }

    [Test]
    public async Task ASecondIndexKey_IsRefused_AndNothingIsWritten()
    {
        using var temp = new TempFolder();
        string folder = temp["privacy"];
        await Cli.RunAsync("keys", "privacy", "--out", folder, "--index");

        CliResult again = await Cli.RunAsync("keys", "privacy", "--out", folder, "--index");

        Assert.Multiple(() =>
        {
            Assert.That(again.ExitCode, Is.EqualTo(CommandLine.Failed));
            Assert.That(again.Stderr, Does.Contain("has a blind-index key already"));
            Assert.That(Directory.EnumerateFiles(folder, "index-*.json").Count(), Is.EqualTo(1));
        });
    }

    [TestCase("--current", "0123abcd", 1, "No data key '0123abcd'")]
    [TestCase("--current", "../../etc", 1, "No data key '../../etc'")]
    [TestCase("--data", "--index", 2, "give exactly one of --data, --index or --current <kid>.")]
    public async Task AWrongRequest_FailsSayingWhy(string option, string value, int exit, string reason)
    {
        using var temp = new TempFolder();
        string folder = temp["privacy"];
        await Cli.RunAsync("keys", "privacy", "--out", folder, "--data");

        CliResult run = await Cli.RunAsync("keys", "privacy", "--out", folder, option, value);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(exit), run.ToString());
            Assert.That(run.Stderr, Does.Contain(reason));
        });
    }
}
