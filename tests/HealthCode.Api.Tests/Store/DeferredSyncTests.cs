using Dapper;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Tests.Store;

/// <summary>
/// A batch's steps commit without a sync (<see cref="DeferredSync"/>), on connections that go back to the pool:
/// whoever takes one next (a declaration, a scan's audit entry) must commit as durably as before.
/// </summary>
// SQLite's own files and settings: PostgreSQL has none of them.
[Category("SqliteOnly")]
[TestFixture]
internal sealed class DeferredSyncTests
{
    private string folder = null!;

    [SetUp]
    public void MakeFolder() => folder = Directory.CreateTempSubdirectory("hc-deferred-").FullName;

    [TearDown]
    public void RemoveFolder()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    [Test]
    public async Task AConnectionBackInThePool_SyncsAsBefore_AfterCommitsThatDidNot()
    {
        var database = new SqliteDatabase($"Data Source={Path.Combine(folder, "hc.db")}");
        await database.MigrateAsync(CancellationToken.None);
        long before;
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            before = await SettingAsync(connection, "synchronous");
            await using (await DeferredSync.BeginAsync(connection, withoutAutoCheckpoint: true, CancellationToken.None))
            {
                Assert.That(await SettingAsync(connection, "synchronous"), Is.EqualTo(1), "NORMAL while deferred");
                Assert.That(await SettingAsync(connection, "wal_autocheckpoint"), Is.Zero);
                await connection.ExecuteAsync("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);");
            }
        }

        Assert.That(before, Is.EqualTo(2), "the store syncs every commit by default (FULL)");
        // The pool hands the same connection out again.
        await using var next = await database.OpenAsync(CancellationToken.None);
        Assert.That(await SettingAsync(next, "synchronous"), Is.EqualTo(before));
        Assert.That(await SettingAsync(next, "wal_autocheckpoint"), Is.EqualTo(1000));
        Assert.That(await next.ExecuteScalarAsync<long>("SELECT x FROM t"), Is.EqualTo(1));
    }

    private static Task<long> SettingAsync(Microsoft.Data.Sqlite.SqliteConnection connection, string name) =>
        connection.ExecuteScalarAsync<long>($"PRAGMA {name}");
}
