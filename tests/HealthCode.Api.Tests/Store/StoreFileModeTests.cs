using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Tests.Store;

/// <summary>
/// The store's files hold personal data: readable and writable by the service's own user only (issue 13, DESIGN §11),
/// the database, its write-ahead log and the audit's file alike, new or from before.
/// </summary>
// SQLite's own files and settings: PostgreSQL has none of them.
[Category("SqliteOnly")]
[TestFixture]
[Platform(Exclude = "Win")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class StoreFileModeTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private string folder = null!;

    [SetUp]
    public void MakeFolder() => folder = Path.Combine(Directory.CreateTempSubdirectory("hc-file-mode-").FullName, "data");

    [TearDown]
    public void RemoveFolder()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
    }

    [Test]
    public async Task ANewStore_ItsLog_AndItsAuditFile_AreTheOwnersOnly()
    {
        using var store = new SqliteDatabase($"Data Source={Path.Combine(folder, "hc.db")}");
        using var audit = new SqliteAuditDatabase(store);
        await store.MigrateAsync(CancellationToken.None);
        await audit.InitializeAsync(CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(File.GetUnixFileMode(Path.Combine(folder, "hc.db")), Is.EqualTo(OwnerOnly));
            Assert.That(File.GetUnixFileMode(Path.Combine(folder, "hc.db-wal")), Is.EqualTo(OwnerOnly));
            Assert.That(File.GetUnixFileMode(audit.Database.FilePath), Is.EqualTo(OwnerOnly));
            Assert.That(File.GetUnixFileMode(folder), Is.EqualTo(OwnerOnly | UnixFileMode.UserExecute));
        });
    }

    [Test]
    public async Task AStoreFromBefore_ThatOthersCouldRead_IsNarrowed()
    {
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "hc.db");
        using (var store = new SqliteDatabase($"Data Source={file}"))
        {
            await store.MigrateAsync(CancellationToken.None);
        }

        File.SetUnixFileMode(file, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using (var again = new SqliteDatabase($"Data Source={file}"))
        {
            await again.MigrateAsync(CancellationToken.None);
        }

        Assert.That(File.GetUnixFileMode(file), Is.EqualTo(OwnerOnly));
    }
}
