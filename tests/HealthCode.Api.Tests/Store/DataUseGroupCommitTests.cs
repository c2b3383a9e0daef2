using System.Data.Common;
using Dapper;
using HealthCode.Api.Features.DataUseLog;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Api.Tests.Support;

namespace HealthCode.Api.Tests.Store;

/// <summary>
/// The data-use log's appends of their own (a lookup's, a prefill's, an office's view) are committed in groups: callers
/// that arrive while a commit runs share the next one. Each caller is answered once its uses are committed, each use
/// keeps its own time, the chain stays one valid chain, and a failed commit fails every caller in it without stopping
/// the appends after it.
/// </summary>
[TestFixture(StoreEngine.Sqlite)]
[TestFixture(StoreEngine.Postgres)]
internal sealed class DataUseGroupCommitTests(StoreEngine engine)
{
    private const int Callers = 40;
    private static readonly DateTimeOffset At = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    private TestStore testStore = null!;

    [SetUp]
    public async Task CreateStore() => testStore = await TestStore.CreateAsync(engine);

    [TearDown]
    public async Task DropStore() => await testStore.DisposeAsync();

    [Test]
    public async Task CallersArrivingWhileACommitWaits_ShareTheNextCommit_EachUseAtItsOwnTime_InOneValidChain()
    {
        using var counted = new CommitCounting(testStore.Database);
        var log = new DataUseStore(counted);
        Task[] appends;
        // The first commit waits for the write turn (as behind a batch's chunk) while every other caller arrives.
        using (var turn = await counted.HoldTurnAsync())
        {
            appends = [.. Enumerable.Range(0, Callers).Select(i => log.AppendAsync(
                [new DataUse($"p-{i}", DataUsePurposes.Lookup, "checkpoint c-1 (staff s-1)", null, null)], At.AddSeconds(i), CancellationToken.None))];
            await Task.Delay(300);
            Assert.That(appends.Count(a => a.IsCompleted), Is.Zero, "no caller is answered before its commit");
        }

        await Task.WhenAll(appends);

        var report = await log.VerifyAsync(CancellationToken.None);
        var entries = await log.ForPersonsAsync([.. Enumerable.Range(0, Callers).Select(i => $"p-{i}")], null, 100, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(report.Valid, Is.True, report.ToString());
            Assert.That(report.HeadSeq, Is.EqualTo(Callers), "every caller's use, once");
            Assert.That(counted.Commits, Is.LessThan(Callers / 2), "the callers queued behind the first commit share commits");
            Assert.That(entries.Select(e => (e.Use.PersonId, e.At)), Is.EquivalentTo(Enumerable.Range(0, Callers).Select(i => ($"p-{i}", At.AddSeconds(i)))),
                "each use at the time its caller gave");
        });
    }

    [Test]
    public async Task ACommitThatFails_FailsEveryCallerInIt_AndTheAppendsAfterItAreCommitted()
    {
        var log = new DataUseStore(testStore.Database);
        await ExecuteAsync("ALTER TABLE data_use_head RENAME TO data_use_head_away");

        var failing = Enumerable.Range(0, 5).Select(i => log.AppendAsync(
            [new DataUse($"p-{i}", DataUsePurposes.Lookup, "checkpoint c-1 (staff s-1)", null, null)], At, CancellationToken.None)).ToList();
        foreach (var append in failing)
        {
            Assert.CatchAsync<DbException>(() => append, "a caller whose use is not stored hears it");
        }

        await ExecuteAsync("ALTER TABLE data_use_head_away RENAME TO data_use_head");
        await log.AppendAsync([new DataUse("p-after", DataUsePurposes.Lookup, "checkpoint c-1 (staff s-1)", null, null)], At, CancellationToken.None);

        var report = await log.VerifyAsync(CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(report.Valid, Is.True, report.ToString());
            Assert.That(report.HeadSeq, Is.EqualTo(1), "the failed callers' uses are not in the log; the one after them is");
        });
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await testStore.Database.OpenConnectionAsync(CancellationToken.None);
        await connection.ExecuteAsync(sql);
    }

    /// <summary>The test's database, counting the write transactions begun on it; the test can hold the write turn.</summary>
    private sealed class CommitCounting(IStoreDatabase inner) : IStoreDatabase, IDisposable
    {
        private readonly SemaphoreSlim held = new(1, 1);
        private int commits;

        public int Commits => Volatile.Read(ref commits);

        public SqlDialect Dialect => inner.Dialect;

        public bool WriteTurnWanted => inner.WriteTurnWanted;

        public async Task<IDisposable> HoldTurnAsync()
        {
            await held.WaitAsync();
            return new Release(held);
        }

        public Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) => inner.OpenConnectionAsync(cancellationToken);

        public async Task<IDisposable> TakeWriteTurnAsync(CancellationToken cancellationToken)
        {
            await held.WaitAsync(cancellationToken);
            held.Release();
            Interlocked.Increment(ref commits);
            return await inner.TakeWriteTurnAsync(cancellationToken);
        }

        public Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) => inner.BeginSnapshotAsync(connection, cancellationToken);

        public void Dispose() => held.Dispose();

        private sealed class Release(SemaphoreSlim semaphore) : IDisposable
        {
            public void Dispose() => semaphore.Release();
        }
    }
}
