using HealthCode.Api.Features.DataUseLog;
using HealthCode.Api.Infrastructure.Audit;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Api.Infrastructure.Store.Postgres;
using HealthCode.Api.Tests.Support;

namespace HealthCode.Api.Tests.Store;

/// <summary>
/// Several instances share one PostgreSQL database (DESIGN §11): the scan audit and the data-use log must stay one valid
/// chain when they append at the same moment. Each "instance" here is a store of its own over its own connection pool.
/// </summary>
[TestFixture]
internal sealed class ChainConcurrencyTests
{
    private const int Instances = 4;
    private const int AppendsEach = 25;

    private static readonly DateTimeOffset At = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);

    private string connectionString = null!;

    [SetUp]
    public async Task CreateDatabase()
    {
        connectionString = await PostgresServer.Shared.CreateDatabaseAsync();
        await using var database = new PostgresDatabase(connectionString);
        await database.MigrateAsync(CancellationToken.None);
    }

    [Test]
    public async Task TheAuditChain_StaysOneValidChain_WhenInstancesAppendAtOnce()
    {
        var databases = Enumerable.Range(0, Instances).Select(_ => new PostgresDatabase(connectionString)).ToList();
        try
        {
            await Task.WhenAll(databases.Select(async (database, instance) =>
            {
                var audit = new PostgresAuditStore(database);
                for (var i = 0; i < AppendsEach; i++)
                {
                    await audit.AppendAsync(
                        [new AuditEvent(At.AddSeconds(i), $"cp-{instance}", $"st-{instance}", "verify", "hc-410000", $"code-{i}", "valid_green"),
                         new AuditEvent(At.AddSeconds(i), $"cp-{instance}", $"st-{instance}", "verify", "hc-410000", $"code-{i}b", "valid_red")],
                        CancellationToken.None);
                }
            }));

            // The head as a witness would have recorded it after the last commit.
            var head = await new PostgresAuditStore(databases[0]).ReadHeadAsync(CancellationToken.None);
            var report = await new PostgresAuditStore(databases[0]).VerifyChainAsync(head, CancellationToken.None);
            Assert.Multiple(() =>
            {
                Assert.That(report.Valid, Is.True, report.ToString());
                Assert.That(head.Seq, Is.EqualTo(Instances * AppendsEach * 2), "every entry chained once, none overwritten");
            });
        }
        finally
        {
            foreach (var database in databases)
            {
                await database.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task TheDataUseChain_StaysOneValidChain_WhenInstancesAppendAtOnce()
    {
        var databases = Enumerable.Range(0, Instances).Select(_ => new PostgresDatabase(connectionString)).ToList();
        try
        {
            await Task.WhenAll(databases.Select(async (database, instance) =>
            {
                var log = new DataUseStore(database);
                for (var i = 0; i < AppendsEach; i++)
                {
                    await log.AppendAsync(
                        [new DataUse($"p-{instance}-{i}", DataUsePurposes.Scoring, ScoringUses.System, "410000-CDC-002", "b-1")], At.AddSeconds(i), CancellationToken.None);
                }
            }));

            var report = await new DataUseStore(databases[0]).VerifyAsync(CancellationToken.None);
            Assert.Multiple(() =>
            {
                Assert.That(report.Valid, Is.True, report.ToString());
                Assert.That(report.HeadSeq, Is.EqualTo(Instances * AppendsEach), "every use chained once, none overwritten");
            });
        }
        finally
        {
            foreach (var database in databases)
            {
                await database.DisposeAsync();
            }
        }
    }
}
