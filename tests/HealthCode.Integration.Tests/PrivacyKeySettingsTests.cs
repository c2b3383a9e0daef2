using HealthCode.Trust.Keys;
using HealthCode.Trust.Privacy;

namespace HealthCode.Integration.Tests;

/// <summary>
/// Issue 13 (bad input: "a missing privacy key at start"): the real service refuses to start without its privacy keys
/// (DESIGN §11), or with the public sample ones outside Development, in one line naming what is missing; exit 78.
/// </summary>
[TestFixture]
public sealed class PrivacyKeySettingsTests
{
    private const string Setting = "HealthCode__Privacy__KeysPath";

    [Test]
    public Task AMissingFolder_StopsTheService_NamingIt() => BadSettingsTests.AssertRefusedAsync(
        new() { [Setting] = "/nonexistent/healthcode-privacy" },
        "HealthCode:Privacy:KeysPath '/nonexistent/healthcode-privacy' does not exist. Point it at the folder of this province's privacy keys (keys-sample/privacy/README.md).");

    [Test]
    public Task AFolderWithoutACurrentDataKey_StopsTheService_SayingSo()
    {
        string folder = CopyOfSample();
        File.Delete(Path.Combine(folder, PrivacyKeyFolder.CurrentFileName));

        return BadSettingsTests.AssertRefusedAsync(new() { [Setting] = folder },
            $"HealthCode:Privacy:KeysPath '{folder}' has no current data key: no file current-data-key naming one. Make one with 'healthcode keys privacy --data --out {folder}'.");
    }

    [Test]
    public Task ACurrentDataKeyWhoseFileIsGone_StopsTheService_NamingTheKid()
    {
        string folder = CopyOfSample();
        string current = PrivacyKeyFolder.ReadCurrent(folder)!;
        File.Delete(Path.Combine(folder, PrivacyKeyFolder.FileName(PrivacyKeyUse.Data, current)));

        return BadSettingsTests.AssertRefusedAsync(new() { [Setting] = folder },
            $"HealthCode:Privacy:KeysPath '{folder}' has no current data key: current-data-key names '{current}', and there is no data-{current}.json.");
    }

    [Test]
    public Task AFolderWithoutTheIndexKey_StopsTheService_SayingSo()
    {
        string folder = CopyOfSample();
        foreach (string index in Directory.GetFiles(folder, "index-*.json"))
        {
            File.Delete(index);
        }

        return BadSettingsTests.AssertRefusedAsync(new() { [Setting] = folder },
            $"HealthCode:Privacy:KeysPath '{folder}' has no blind-index key (index-<kid>.json). Make one with 'healthcode keys privacy --index --out {folder}'.");
    }

    [Test]
    public Task OutsideDevelopment_TheSamplePrivacyKeys_StopTheService() => BadSettingsTests.AssertRefusedAsync(
        new()
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["HealthCode__Keys__Path"] = OwnSigningKeys(),
            [Setting] = Path.Combine(RepoRoot.Find(), "keys-sample", "privacy"),
        },
        "Refusing to start in Production with a public sample key from keys-sample/: HealthCode:Privacy:KeysPath = '*' (kid *). Sample keys are for Development only; generate real ones with 'healthcode keys privacy'.");

    /// <summary>Development settings name the sample folder; Production's have no privacy keys until an operator gives some.</summary>
    [Test]
    public Task InProduction_NoPrivacyKeysSetting_StopsTheService() => BadSettingsTests.AssertRefusedAsync(
        new() { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["HealthCode__Keys__Path"] = OwnSigningKeys() },
        "HealthCode:Privacy:KeysPath is required: the folder of this province's privacy keys (keys-sample/privacy/README.md).");

    [TestCase("13", "HealthCode:Privacy:RetentionDays must be between 14 and 366 (got 13).")]
    [TestCase("400", "HealthCode:Privacy:RetentionDays must be between 14 and 366 (got 400).")]
    public Task ARetentionOutOfRange_StopsTheService_NamingIt(string days, string problem) =>
        BadSettingsTests.AssertRefusedAsync(new() { ["HealthCode__Privacy__RetentionDays"] = days }, problem);

    /// <summary>appsettings.Development.json names keys-sample/privacy: a developer's start needs no privacy setting.</summary>
    [Test]
    public async Task InDevelopment_TheSamplePrivacyKeysAreTheDefault_AndTheServiceStarts()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        await using var api = await ApiProcess.StartAsync(cts.Token);

        Assert.That(api.Output, Does.Not.Contain("cannot start"));
    }

    [Test]
    public async Task WithItsOwnPrivacyKeys_TheServiceStartsInProduction()
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory("healthcode-it-privacy-").FullName, "privacy");
        PrivacyKeyFolder.MakeCurrent(folder, PrivacyKeyFolder.Generate(folder, PrivacyKeyUse.Data, DateTimeOffset.UtcNow));
        PrivacyKeyFolder.Generate(folder, PrivacyKeyUse.Index, DateTimeOffset.UtcNow);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        await using var api = await ApiProcess.StartAsync(new ApiProcessOptions
        {
            Environment = new Dictionary<string, string?>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["HealthCode__Keys__Path"] = OwnSigningKeys(),
                [Setting] = folder,
            },
        }, cts.Token);

        Assert.That(api.Output, Does.Not.Contain("cannot start"));
    }

    private static string CopyOfSample()
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory("healthcode-it-privacy-").FullName, "privacy");
        Directory.CreateDirectory(folder);
        foreach (string file in Directory.GetFiles(Path.Combine(RepoRoot.Find(), "keys-sample", "privacy")))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        return folder;
    }

    private static string OwnSigningKeys()
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory("healthcode-it-keys-").FullName, "keys");
        ProvinceKeys.Generate(folder);
        return folder;
    }
}
