using Dapper;
using HealthCode.Api.Infrastructure.Audit;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Api.Infrastructure.Store.Postgres;
using HealthCode.Api.Tests.Support;

namespace HealthCode.Api.Tests.Store;

/// <summary>
/// The PostgreSQL audit's spool (issue 13): entries committed to an instance's local spool, named by the instance and their
/// spool seq, then shipped into the one chain. A batch shipped again (a crash after the chain's commit and before the
/// spool's delete) is not appended twice, several instances' spools make one valid chain, and an entry's scanId is
/// covered by its hash.
/// </summary>
[TestFixture]
internal sealed class AuditSpoolTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);

    private readonly List<string> folders = [];

    private PostgresDatabase database = null!;

    [SetUp]
    public async Task CreateDatabase()
    {
        database = new PostgresDatabase(await PostgresServer.Shared.CreateDatabaseAsync());
        await database.MigrateAsync(CancellationToken.None);
    }

    [TearDown]
    public async Task DropFolders()
    {
        await database.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var folder in folders)
        {
            Directory.Delete(folder, recursive: true);
        }

        folders.Clear();
    }

    [Test]
    public async Task ABatchShippedAgain_AfterACrashBeforeTheSpoolForgotIt_IsNotAppendedTwice()
    {
        using var spool = NewSpool();
        var chain = new PostgresAuditStore(database);
        var answered = (await spool.CommitAsync([Scan("a"), Scan("b"), Scan("c")], CancellationToken.None)).ScanIds;
        var batch = await spool.OldestAsync(AuditShipper.MaxBatch, CancellationToken.None);
        await chain.AppendAsync([.. batch.Select(e => e.Event)], CancellationToken.None);

        // The crash: the spool still holds the batch. A scan answered after it joins the batch shipped again.
        answered = [.. answered, .. (await spool.CommitAsync([Scan("d")], CancellationToken.None)).ScanIds];
        batch = await spool.OldestAsync(AuditShipper.MaxBatch, CancellationToken.None);
        var head = await chain.AppendAsync([.. batch.Select(e => e.Event)], CancellationToken.None);
        await spool.RemoveThroughAsync(batch[^1].Seq, CancellationToken.None);

        var stored = await StoredAsync();
        var report = await chain.VerifyChainAsync(head, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(stored.Select(s => s.ScanId), Is.EqualTo(answered), "each answered entry once, in spool order");
            Assert.That(stored.Select(s => s.CodeId), Is.EqualTo(new[] { "a", "b", "c", "d" }));
            Assert.That(report.Valid, Is.True, report.ToString());
            Assert.That(spool.Pending, Is.Zero);
        });
    }

    [Test]
    public async Task TheSpoolsOfSeveralInstances_ShipIntoOneValidChain_WithScanIdsUniqueAcrossThem()
    {
        using var first = NewSpool();
        using var second = NewSpool();
        var chain = new PostgresAuditStore(database);
        var answered = new List<string>();
        for (var round = 0; round < 3; round++)
        {
            foreach (var spool in new[] { first, second })
            {
                answered.AddRange((await spool.CommitAsync([Scan($"r{round}-1"), Scan($"r{round}-2")], CancellationToken.None)).ScanIds);
            }
        }

        AuditHead head = null!;
        foreach (var spool in new[] { second, first })
        {
            var batch = await spool.OldestAsync(AuditShipper.MaxBatch, CancellationToken.None);
            head = await chain.AppendAsync([.. batch.Select(e => e.Event)], CancellationToken.None);
            await spool.RemoveThroughAsync(batch[^1].Seq, CancellationToken.None);
        }

        var stored = await StoredAsync();
        var report = await chain.VerifyChainAsync(head, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(answered, Is.Unique, "two instances never name two entries alike");
            Assert.That(answered.Select(id => id[..id.LastIndexOf('-')]).Distinct().Count(), Is.EqualTo(2), string.Join(' ', answered));
            Assert.That(stored.Select(s => s.ScanId), Is.EquivalentTo(answered));
            Assert.That(report.Valid, Is.True, report.ToString());
        });
    }

    [Test]
    public async Task AnEntrysScanId_IsCoveredByItsHash()
    {
        using var spool = NewSpool();
        var chain = new PostgresAuditStore(database);
        await spool.CommitAsync([Scan("a"), Scan("b")], CancellationToken.None);
        var head = await chain.AppendAsync([.. (await spool.OldestAsync(10, CancellationToken.None)).Select(e => e.Event)], CancellationToken.None);

        await using (var connection = await database.OpenConnectionAsync(CancellationToken.None))
        {
            // Someone pointing an answered scanId at another entry.
            await connection.ExecuteAsync("UPDATE audit SET scan_id = scan_id || 'x' WHERE seq = 1");
        }

        var report = await chain.VerifyChainAsync(head, CancellationToken.None);
        Assert.That(report, Has.Property(nameof(AuditChainReport.Valid)).False.And.Property(nameof(AuditChainReport.BrokenAtSeq)).EqualTo(1), report.ToString());
    }

    private AuditSpool NewSpool()
    {
        var folder = Directory.CreateTempSubdirectory("hc-spool-").FullName;
        folders.Add(folder);
        return new AuditSpool(new LocalDataFolder(folder));
    }

    private static AuditEvent Scan(string codeId) => new(At, "cp-1", "st-1", "verify", "410000", codeId, "valid_green");

    private async Task<List<(string ScanId, string CodeId)>> StoredAsync()
    {
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
        return [.. await connection.QueryAsync<(string, string)>("SELECT scan_id, code_id FROM audit ORDER BY seq")];
    }
}
