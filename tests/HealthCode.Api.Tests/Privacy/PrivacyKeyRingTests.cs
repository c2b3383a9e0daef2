using HealthCode.Api.Infrastructure.Privacy;
using HealthCode.Api.Infrastructure.Settings;
using HealthCode.Api.Tests.Support;
using HealthCode.Trust.Privacy;

namespace HealthCode.Api.Tests.Privacy;

/// <summary>
/// The privacy key folder (keys-sample/privacy/README.md): what the ring loads, and the one line it refuses a folder
/// with. The refusals on the real process are in HealthCode.Integration.Tests (PrivacyKeySettingsTests).
/// </summary>
[TestFixture]
internal sealed class PrivacyKeyRingTests
{
    [Test]
    public void TheSampleFolder_LoadsTwoDataKeys_OneCurrent_AndTheIndexKey()
    {
        using var keys = PrivacyKeyRing.Load(PrivacyFolders.Sample);

        Assert.Multiple(() =>
        {
            Assert.That(keys.DataKeys.Select(k => k.Kid), Is.EquivalentTo(new[] { PrivacyFolders.OldDataKid, PrivacyFolders.CurrentDataKid }));
            Assert.That(keys.CurrentDataKey.Kid, Is.EqualTo(PrivacyFolders.CurrentDataKid));
            Assert.That(keys.IndexKey.Kid, Is.EqualTo(PrivacyFolders.IndexKid));
        });
    }

    /// <summary>DESIGN §7: every sample key is known as one (so it is refused outside Development), and no new key is.</summary>
    [Test]
    public void EverySampleKey_IsListedAsSample_AndANewKeyIsNot()
    {
        var sample = PrivacyKeyFolder.ReadAll(PrivacyFolders.Sample);
        var own = PrivacyKeyFolder.ReadAll(PrivacyFolders.Own());

        Assert.Multiple(() =>
        {
            Assert.That(sample, Has.Count.EqualTo(3));
            Assert.That(sample.Select(SamplePrivacyKeys.IsSample), Is.All.True);
            Assert.That(own.Select(SamplePrivacyKeys.IsSample), Is.All.False);
        });
    }

    /// <summary>
    /// deploy/k8s mounts the keys from a Secret: each file is a symlink through <c>..data</c> to a timestamped folder, which
    /// Kubernetes swaps in one rename when the Secret changes.
    /// </summary>
    [Test]
    public void AFolderMountedLikeAKubernetesSecret_Loads()
    {
        string mount = Path.Combine(Path.GetTempPath(), "healthcode-tests", Guid.NewGuid().ToString("N"), "keys-privacy");
        string version = Directory.CreateDirectory(Path.Combine(mount, "..2026_12_07_04_30_00.123")).FullName;
        foreach (string file in Directory.GetFiles(PrivacyFolders.Sample))
        {
            File.Copy(file, Path.Combine(version, Path.GetFileName(file)));
        }

        Directory.CreateSymbolicLink(Path.Combine(mount, "..data"), Path.GetFileName(version));
        foreach (string file in Directory.GetFiles(version))
        {
            string name = Path.GetFileName(file);
            File.CreateSymbolicLink(Path.Combine(mount, name), Path.Combine("..data", name));
        }

        using var keys = PrivacyKeyRing.Load(mount);

        Assert.Multiple(() =>
        {
            Assert.That(keys.CurrentDataKey.Kid, Is.EqualTo(PrivacyFolders.CurrentDataKid));
            Assert.That(keys.DataKeys.Count(), Is.EqualTo(2));
            Assert.That(keys.IndexKey.Kid, Is.EqualTo(PrivacyFolders.IndexKid));
        });
    }

    [Test]
    public void AFolderWithoutACurrentDataKey_IsRefused_SayingSo()
    {
        string folder = PrivacyFolders.CopyOfSample();
        File.Delete(Path.Combine(folder, PrivacyKeyFolder.CurrentFileName));

        Assert.That(Refusal(folder), Does.StartWith($"HealthCode:Privacy:KeysPath '{folder}' has no current data key: no file current-data-key"));
    }

    [Test]
    public void ACurrentKidWithoutItsFile_IsRefused_NamingTheKid()
    {
        string folder = PrivacyFolders.CopyOfSample();
        File.Delete(Path.Combine(folder, $"data-{PrivacyFolders.CurrentDataKid}.json"));

        Assert.That(Refusal(folder), Does.Contain($"has no current data key: current-data-key names '{PrivacyFolders.CurrentDataKid}', and there is no data-{PrivacyFolders.CurrentDataKid}.json"));
    }

    [Test]
    public void AFolderWithoutTheIndexKey_IsRefused_SayingSo()
    {
        string folder = PrivacyFolders.CopyOfSample();
        File.Delete(Path.Combine(folder, $"index-{PrivacyFolders.IndexKid}.json"));

        Assert.That(Refusal(folder), Does.StartWith($"HealthCode:Privacy:KeysPath '{folder}' has no blind-index key"));
    }

    [Test]
    public void AFolderWithTwoIndexKeys_IsRefused()
    {
        string folder = PrivacyFolders.CopyOfSample();
        PrivacyKeyFolder.Generate(folder, PrivacyKeyUse.Index, DateTimeOffset.UtcNow);

        Assert.That(Refusal(folder), Does.Contain("has 2 blind-index keys"));
    }

    [TestCase("\"kid\": \"f03a3a26\"", "\"kid\": \"f03a3a27\"", "\"kid\" does not belong to this secret")]
    [TestCase("\"use\": \"data\"", "\"use\": \"signing\"", "\"use\" must be \"data\" or \"index\"")]
    [TestCase("\"secret\": \"", "\"secret\": \"AAAA", "\"secret\" must be 32 bytes in base64")]
    [TestCase("{", "[", "not a privacy key file")]
    public void AnEditedKeyFile_IsRefused_NamingTheFileAndWhatIsWrong(string from, string to, string problem)
    {
        string folder = PrivacyFolders.CopyOfSample();
        string file = Path.Combine(folder, $"data-{PrivacyFolders.CurrentDataKid}.json");
        string text = File.ReadAllText(file);
        Assert.That(text, Does.Contain(from));
        File.WriteAllText(file, text.Replace(from, to, StringComparison.Ordinal));

        string refusal = Refusal(folder);

        Assert.Multiple(() =>
        {
            Assert.That(refusal, Does.StartWith($"HealthCode:Privacy:KeysPath: {file}: "));
            Assert.That(refusal, Does.Contain(problem));
            Assert.That(refusal, Does.Not.Contain("Kqvi7k3CP5JiHfDs"), "never the secret");
        });
    }

    private static string Refusal(string folder) => Assert.Throws<SettingException>(() => PrivacyKeyRing.Load(folder).Dispose())!.Message;
}
