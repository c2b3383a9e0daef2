using HealthCode.Trust.Keys;
using HealthCode.Trust.Tokens;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;
using Microsoft.Extensions.Time.Testing;

namespace HealthCode.Trust.Tests;

public sealed class TrustFolderTests
{
    private SampleProvinces _p = null!;

    [OneTimeSetUp]
    public void LoadSampleKeys() => _p = new SampleProvinces();

    [OneTimeTearDown]
    public void DisposeKeys() => _p.Dispose();

    private static void WritePartner(string folder, string issuer, EcKey pinnedRoot, string listJws)
    {
        string dir = Path.Combine(folder, issuer);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, TrustFolder.RootFileName), pinnedRoot.ToPublicJwk());
        File.WriteAllText(Path.Combine(dir, TrustFolder.ListFileName), listJws + "\n");
    }

    [Test]
    public void TrustFolder_LoadsGoodPartner_AndRejectsListSignedByWrongRoot()
    {
        using var temp = new TempFolder();
        WritePartner(temp.Path, "330000", _p.Zhejiang.Root,
            TrustListCodec.Sign(SampleProvinces.ListOf(_p.Zhejiang, "330000", "浙江省"), _p.Zhejiang.Root));
        WritePartner(temp.Path, "440000", _p.Guangdong.Root,
            TrustListCodec.Sign(SampleProvinces.ListOf(_p.Guangdong, "440000", "广东省"), _p.Henan.Root)); // wrong root
        var store = new TrustStore();

        TrustFolderReport report = TrustFolder.Load(temp.Path, store, new FakeTimeProvider(Crafted.Now));

        Assert.Multiple(() =>
        {
            Assert.That(report.Loaded, Is.EqualTo(new[] { "330000" }));
            Assert.That(report.Rejected.Select(r => (r.Issuer, r.Error)), Is.EqualTo(new[] { ("440000", (TrustListError?)TrustListError.BadSignature) }));
            Assert.That(store.KnowsIssuer("440000"), Is.False);
            Assert.That(store.IssuerName("330000"), Is.EqualTo("浙江省"));
        });

        var verifier = new HealthCodeVerifier(store, new FakeTimeProvider(Crafted.Now), TimeSpan.Zero);
        string qr = new HealthCodeSigner(_p.Zhejiang.ActiveIssuer).SignQr(Crafted.Claims("330000"));
        Assert.That(verifier.Verify(qr).IsValid, Is.True);
    }

    [Test]
    public void TrustFolder_RejectsList_WhenFolderIsAnotherIssuer()
    {
        using var temp = new TempFolder();
        // Zhejiang's genuine list, filed under Guangdong with Zhejiang's root pinned: the iss does not match the folder.
        WritePartner(temp.Path, "440000", _p.Zhejiang.Root,
            TrustListCodec.Sign(SampleProvinces.ListOf(_p.Zhejiang, "330000", "浙江省"), _p.Zhejiang.Root));

        TrustFolderReport report = TrustFolder.Load(temp.Path, new TrustStore(), new FakeTimeProvider(Crafted.Now));

        Assert.That(report.Rejected.Single().Error, Is.EqualTo(TrustListError.IssuerMismatch));
    }

    [Test]
    public void TrustFolder_ReportsMissingFiles_AndPrivateRoots()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(Path.Combine(temp.Path, "330000")); // no files
        string guangdong = Path.Combine(temp.Path, "440000");
        Directory.CreateDirectory(guangdong);
        File.WriteAllText(Path.Combine(guangdong, TrustFolder.RootFileName), _p.Guangdong.Root.ToPrivateJwk());
        File.WriteAllText(Path.Combine(guangdong, TrustFolder.ListFileName),
            TrustListCodec.Sign(SampleProvinces.ListOf(_p.Guangdong, "440000", "广东省"), _p.Guangdong.Root));

        TrustFolderReport report = TrustFolder.Load(temp.Path, new TrustStore(), new FakeTimeProvider(Crafted.Now));

        Assert.Multiple(() =>
        {
            Assert.That(report.Loaded, Is.Empty);
            Assert.That(report.Rejected.Select(r => r.Issuer), Is.EqualTo(new[] { "330000", "440000" }));
            Assert.That(report.Rejected.All(r => r.Error is null), Is.True);
            Assert.That(report.Rejected[1].Reason, Does.Contain("private key"));
        });
    }

    [Test]
    public void TrustFolder_RejectsRollback_BelowHeldSeq()
    {
        using var temp = new TempFolder();
        WritePartner(temp.Path, "330000", _p.Zhejiang.Root,
            TrustListCodec.Sign(SampleProvinces.ListOf(_p.Zhejiang, "330000", "浙江省", seq: 4), _p.Zhejiang.Root));
        var store = new TrustStore();
        store.SetPartner(SampleProvinces.ListOf(_p.Zhejiang, "330000", "浙江省", seq: 5));

        TrustFolderReport report = TrustFolder.Load(temp.Path, store, new FakeTimeProvider(Crafted.Now));

        Assert.That(report.Rejected.Single().Error, Is.EqualTo(TrustListError.Rollback));
    }

    [Test]
    public void TrustFolder_RejectsExpiredList()
    {
        using var temp = new TempFolder();
        WritePartner(temp.Path, "330000", _p.Zhejiang.Root,
            TrustListCodec.Sign(SampleProvinces.ListOf(_p.Zhejiang, "330000", "浙江省", lifetime: TimeSpan.FromDays(1)), _p.Zhejiang.Root));

        TrustFolderReport report = TrustFolder.Load(temp.Path, new TrustStore(), new FakeTimeProvider(Crafted.Now.AddDays(2)));

        Assert.That(report.Rejected.Single().Error, Is.EqualTo(TrustListError.Expired));
    }

    [Test]
    public void TrustFolder_Throws_WhenFolderMissing()
    {
        Assert.Throws<DirectoryNotFoundException>(() =>
            TrustFolder.Load(Path.Combine(Path.GetTempPath(), "hc-no-such-" + Guid.NewGuid().ToString("N")), new TrustStore(), TimeProvider.System));
    }
}
