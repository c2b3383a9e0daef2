using Dapper;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Tests.Store;

/// <summary>
/// The scan audit in a file of its own (<see cref="SqliteAuditDatabase"/>): a store from before keeps its chain, moved
/// over once, whole; a move cut off between the copy and the drop neither loses nor doubles an entry.
/// </summary>
// SQLite's own files and settings: PostgreSQL has none of them.
[Category("SqliteOnly")]
[TestFixture]
internal sealed class AuditFileTests
{
    private const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    private string folder = null!;

    [SetUp]
    public void MakeFolder() => folder = Directory.CreateTempSubdirectory("hc-audit-file-").FullName;

    [TearDown]
    public void RemoveFolder()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    [Test]
    public async Task TheAuditFile_IsBesideTheStore()
    {
        using var store = new SqliteDatabase($"Data Source={Path.Combine(folder, "healthcode.db")}");
        using var audit = new SqliteAuditDatabase(store);
        await store.MigrateAsync(CancellationToken.None);
        await audit.InitializeAsync(CancellationToken.None);

        Assert.That(audit.Database.FilePath, Is.EqualTo(Path.Combine(folder, "healthcode.audit.db")));
        Assert.That(File.Exists(audit.Database.FilePath), Is.True);
    }

    [Test]
    public async Task AnAuditInTheStore_MovesToItsOwnFile_Whole_AndLeavesTheStore()
    {
        using var store = await StoreWithAuditAsync(entries: 3, anchorSeq: 1);
        using var audit = new SqliteAuditDatabase(store);

        await audit.InitializeAsync(CancellationToken.None);
        await audit.InitializeAsync(CancellationToken.None);

        await using var moved = await audit.Database.OpenAsync(CancellationToken.None);
        await using var left = await store.OpenAsync(CancellationToken.None);
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await moved.QueryAsync<string>("SELECT hash FROM audit ORDER BY seq"), Is.EqualTo(new[] { Hash(2), Hash(3), Hash(4) }));
            Assert.That(await moved.QuerySingleAsync<(long, string)>("SELECT seq, hash FROM audit_anchor"), Is.EqualTo((1L, Hash(1))));
            Assert.That(await moved.QuerySingleAsync<(long, string)>("SELECT seq, hash FROM audit_head"), Is.EqualTo((4L, Hash(4))));
            Assert.That(await left.QueryAsync<string>("SELECT name FROM sqlite_master WHERE name LIKE 'audit%'"), Is.Empty);
        });
    }

    [Test]
    public async Task AMoveCutOffAfterItsCopy_OnlyDropsTheStoresTables_NextTime()
    {
        using var store = await StoreWithAuditAsync(entries: 2, anchorSeq: 0);
        using (var first = new SqliteAuditDatabase(store))
        {
            await first.InitializeAsync(CancellationToken.None);
        }

        // As if the drop had never run: the store holds its tables and the entries the copy took, as the audit's file does.

        await using (var connection = await store.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync($"""
                CREATE TABLE audit (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, checkpoint_id TEXT NOT NULL, staff_id TEXT NOT NULL,
                    action TEXT NOT NULL, issuer TEXT, code_id TEXT, outcome TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
                    actor_id TEXT, actor_name TEXT, target TEXT);
                CREATE TABLE audit_anchor (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL);
                CREATE TABLE audit_head (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL);
                INSERT INTO audit (seq, at, checkpoint_id, staff_id, action, outcome, prev_hash, hash)
                    VALUES (1, 0, 'cp', 'st', 'verify', 'valid_green', '{Genesis}', '{Hash(1)}'),
                           (2, 0, 'cp', 'st', 'verify', 'valid_green', '{Hash(1)}', '{Hash(2)}');
                INSERT INTO audit_head VALUES (1, 2, '{Hash(2)}');
                """);
        }

        using var again = new SqliteAuditDatabase(store);
        await again.InitializeAsync(CancellationToken.None);

        await using var moved = await again.Database.OpenAsync(CancellationToken.None);
        await using var left = await store.OpenAsync(CancellationToken.None);
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await moved.QueryAsync<long>("SELECT seq FROM audit ORDER BY seq"), Is.EqualTo(new[] { 1L, 2L }), "not doubled");
            Assert.That(await left.QueryAsync<string>("SELECT name FROM sqlite_master WHERE name LIKE 'audit%'"), Is.Empty);
        });
    }

    /// <summary>A store of the latest schema whose own audit tables hold a chain: entries after the anchor, and the head.</summary>
    private async Task<SqliteDatabase> StoreWithAuditAsync(int entries, long anchorSeq)
    {
        var store = new SqliteDatabase($"Data Source={Path.Combine(folder, "hc.db")}");
        await store.MigrateAsync(CancellationToken.None);
        await using var connection = await store.OpenAsync(CancellationToken.None);
        for (var seq = anchorSeq + 1; seq <= anchorSeq + entries; seq++)
        {
            await connection.ExecuteAsync(
                "INSERT INTO audit (seq, at, checkpoint_id, staff_id, action, outcome, prev_hash, hash) VALUES (@seq, 0, 'cp', 'st', 'verify', 'valid_green', @prev, @hash)",
                new { seq, prev = seq == 1 ? Genesis : Hash(seq - 1), hash = Hash(seq) });
        }

        if (anchorSeq > 0)
        {
            await connection.ExecuteAsync("INSERT INTO audit_anchor (id, seq, hash) VALUES (1, @anchorSeq, @hash)", new { anchorSeq, hash = Hash(anchorSeq) });
        }

        await connection.ExecuteAsync("UPDATE audit_head SET seq = @seq, hash = @hash", new { seq = anchorSeq + entries, hash = Hash(anchorSeq + entries) });
        return store;
    }

    /// <summary>A stand-in hash for entry <paramref name="seq"/>: the move copies, it does not check.</summary>
    private static string Hash(long seq) => seq.ToString("x64", System.Globalization.CultureInfo.InvariantCulture);
}
