using HealthCode.Trust.Keys;

namespace HealthCode.Trust.Tests;

public sealed class SampleKeysTests
{
    private static IEnumerable<string> SampleJwkFiles() =>
        Directory.EnumerateFiles(RepoPaths.KeysSample, "*.jwk", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(RepoPaths.KeysSample, path))
            .Order(StringComparer.Ordinal);

    [Test]
    public void KeysSample_HoldsEveryFolderOfDesign44()
    {
        // Three provinces (root and issuer-1, public and private), the hub's anchor, five departments (DESIGN §4.4, §9).
        Assert.That(SampleJwkFiles().Count(), Is.EqualTo((3 * 4) + 2 + (5 * 2)));
    }

    [TestCaseSource(nameof(SampleJwkFiles))]
    public void IsSample_IsTrue_ForEveryJwkInKeysSample(string relativePath)
    {
        using EcKey key = EcKey.Load(Path.Combine(RepoPaths.KeysSample, relativePath));

        Assert.That(SampleKeys.IsSample(key), Is.True, $"{relativePath} ({key.Thumbprint}) is missing from SampleKeys");
    }

    [Test]
    public void IsSample_IsFalse_ForFreshKey()
    {
        using EcKey key = EcKey.Generate();

        Assert.That(SampleKeys.IsSample(key), Is.False);
    }
}
