using HealthCode.Trust.Keys;

namespace HealthCode.Trust.Tests;

public sealed class ProvinceKeysTests
{
    private static readonly int[] OnlyIssuer1 = [1];
    private static readonly int[] Issuers1To3 = [1, 2, 3];
    private static readonly string[] NewProvinceFiles =
        ["root.private.jwk", "root.public.jwk", "issuer-1.private.jwk", "issuer-1.public.jwk"];

    [TestCase("410000")]
    [TestCase("330000")]
    [TestCase("440000")]
    public void Load_ReadsSampleProvince_RootAndIssuer1(string province)
    {
        using ProvinceKeys keys = ProvinceKeys.Load(RepoPaths.Province(province));

        Assert.Multiple(() =>
        {
            Assert.That(keys.Root.HasPrivateKey, Is.True);
            Assert.That(keys.Issuers, Has.Count.EqualTo(1));
            Assert.That(keys.IssuerNumbers, Is.EqualTo(OnlyIssuer1));
            Assert.That(keys.ActiveIssuer, Is.SameAs(keys.Issuers[0]));
            Assert.That(keys.ActiveIssuer.HasPrivateKey, Is.True);
            Assert.That(keys.Root.Thumbprint, Is.Not.EqualTo(keys.ActiveIssuer.Thumbprint));
        });
    }

    [Test]
    public void LoadHubAnchor_ReadsSampleHub()
    {
        using EcKey anchor = ProvinceKeys.LoadHubAnchor(Path.Combine(RepoPaths.KeysSample, "hub"));

        Assert.That(anchor.HasPrivateKey, Is.True);
    }

    [Test]
    public void Generate_WritesRootAndIssuer1Pairs_ThatLoad()
    {
        using var folder = new TempFolder();

        ProvinceKeys.Generate(folder.Path);
        using ProvinceKeys keys = ProvinceKeys.Load(folder.Path);

        Assert.Multiple(() =>
        {
            Assert.That(Directory.GetFiles(folder.Path).Select(Path.GetFileName), Is.EquivalentTo(NewProvinceFiles));
            Assert.That(keys.Root.HasPrivateKey, Is.True);
            Assert.That(keys.ActiveIssuer.HasPrivateKey, Is.True);
        });
    }

    [Test]
    public void Generate_RefusesToOverwrite_AndLeavesExistingKeysAlone()
    {
        using var folder = new TempFolder();
        ProvinceKeys.Generate(folder.Path);
        string before = File.ReadAllText(Path.Combine(folder.Path, "root.private.jwk"));

        Assert.That(() => ProvinceKeys.Generate(folder.Path), Throws.InstanceOf<IOException>());
        Assert.That(File.ReadAllText(Path.Combine(folder.Path, "root.private.jwk")), Is.EqualTo(before));
    }

    [Test]
    public void GenerateHubAnchor_RefusesToOverwrite()
    {
        using var folder = new TempFolder();
        ProvinceKeys.GenerateHubAnchor(folder.Path);

        Assert.That(() => ProvinceKeys.GenerateHubAnchor(folder.Path), Throws.InstanceOf<IOException>());
    }

    [Test]
    public void Load_UsesPublicRoot_WhenRootIsOffline()
    {
        using var folder = new TempFolder();
        ProvinceKeys.Generate(folder.Path);
        File.Delete(Path.Combine(folder.Path, "root.private.jwk"));

        using ProvinceKeys keys = ProvinceKeys.Load(folder.Path);

        Assert.That(keys.Root.HasPrivateKey, Is.False);
    }

    [Test]
    public void Load_PicksHighestIssuerWithPrivateKey_AsActive()
    {
        using var folder = new TempFolder();
        ProvinceKeys.Generate(folder.Path);
        Assert.That(ProvinceKeys.GenerateNextIssuer(folder.Path), Is.EqualTo(2));
        Assert.That(ProvinceKeys.GenerateNextIssuer(folder.Path), Is.EqualTo(3));
        File.Delete(Path.Combine(folder.Path, "issuer-3.private.jwk")); // e.g. issuer-3 is a key held elsewhere

        using ProvinceKeys keys = ProvinceKeys.Load(folder.Path);

        Assert.Multiple(() =>
        {
            Assert.That(keys.IssuerNumbers, Is.EqualTo(Issuers1To3));
            Assert.That(keys.ActiveIssuer, Is.SameAs(keys.Issuers[1]));
            Assert.That(keys.Issuers[2].HasPrivateKey, Is.False);
        });
    }

    [Test]
    public void Load_Rejects_WhenPrivateAndPublicFilesHoldDifferentKeys()
    {
        using var folder = new TempFolder();
        ProvinceKeys.Generate(folder.Path);
        File.Copy(Path.Combine(folder.Path, "root.public.jwk"), Path.Combine(folder.Path, "issuer-1.public.jwk"), overwrite: true);

        Assert.That(() => ProvinceKeys.Load(folder.Path), Throws.TypeOf<InvalidKeyException>().With.Message.Contains("different keys"));
    }

    [Test]
    public void Load_Rejects_FolderWithoutRoot()
    {
        using var folder = new TempFolder();
        ProvinceKeys.Generate(folder.Path);
        File.Delete(Path.Combine(folder.Path, "root.private.jwk"));
        File.Delete(Path.Combine(folder.Path, "root.public.jwk"));

        Assert.That(() => ProvinceKeys.Load(folder.Path), Throws.InstanceOf<FileNotFoundException>());
    }

    [Test]
    public void ActiveIssuer_Throws_WhenNoIssuerHasPrivateKey()
    {
        using var folder = new TempFolder();
        ProvinceKeys.Generate(folder.Path);
        File.Delete(Path.Combine(folder.Path, "issuer-1.private.jwk"));

        using ProvinceKeys keys = ProvinceKeys.Load(folder.Path);

        Assert.That(keys.HasActiveIssuer, Is.False);
        Assert.That(() => keys.ActiveIssuer, Throws.InvalidOperationException);
    }
}
