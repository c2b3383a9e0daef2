using HealthCode.Trust.Privacy;

namespace HealthCode.Api.Tests.Support;

/// <summary>Privacy key folders for tests (DESIGN §11): a copy of the sample one to change, or one of a test's own.</summary>
internal static class PrivacyFolders
{
    /// <summary>The sample data key that is not current (values written before the rotation).</summary>
    public const string OldDataKid = "6767a67e";

    /// <summary>The sample data key that is current.</summary>
    public const string CurrentDataKid = "f03a3a26";

    public const string IndexKid = "be781bbf";

    public static string Sample => RepoPaths.SampleKeys("privacy");

    /// <summary>A copy of <c>keys-sample/privacy</c> in a new temporary folder, to rotate or break.</summary>
    public static string CopyOfSample()
    {
        string folder = NewFolder();
        Directory.CreateDirectory(folder);
        foreach (string file in Directory.GetFiles(Sample))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        return folder;
    }

    /// <summary>A new folder with one data key (current) and the index key, none of them a sample key.</summary>
    public static string Own()
    {
        string folder = NewFolder();
        string kid = PrivacyKeyFolder.Generate(folder, PrivacyKeyUse.Data, DateTimeOffset.UtcNow);
        PrivacyKeyFolder.MakeCurrent(folder, kid);
        PrivacyKeyFolder.Generate(folder, PrivacyKeyUse.Index, DateTimeOffset.UtcNow);
        return folder;
    }

    private static string NewFolder() => Path.Combine(Path.GetTempPath(), "healthcode-tests", Guid.NewGuid().ToString("N"), "privacy");
}
