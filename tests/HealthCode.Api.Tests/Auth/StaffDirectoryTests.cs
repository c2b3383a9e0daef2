using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Store;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HealthCode.Api.Tests.Auth;

/// <summary>
/// Two instances' staff directories over one real SQLite store, without Redis: a revocation made by one reaches the
/// other when its cached entry is older than <c>HealthCode:Staff:TokenCacheLifetime</c>, not never. (With Redis it
/// is at once: <c>SharedStateAcrossInstancesTests</c> in the integration tests.)
/// </summary>
[TestFixture]
internal sealed class StaffDirectoryTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private string folder = null!;

    [SetUp]
    public void MakeFolder() => folder = Directory.CreateTempSubdirectory("hc-staff-directory-").FullName;

    [TearDown]
    public void RemoveFolder()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    [Test]
    public async Task ARevocationByAnotherInstance_IsReadFromTheStore_OnceTheCachedEntryIsOlderThanTheLifetime()
    {
        var database = new SqliteDatabase($"Data Source={Path.Combine(folder, "hc.db")}");
        await database.MigrateAsync(CancellationToken.None);
        var store = new StaffStore(database);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 4, 0, 0, TimeSpan.Zero));
        var a = Instance(store, time);
        var b = Instance(store, time);
        var staff = new StaffRecord("st_test", "王检查", "gate-1", Secrets.Hash("token"), time.GetUtcNow(), time.GetUtcNow().AddHours(12), null);
        await a.CreateAsync(staff, CancellationToken.None);
        Assert.That((await b.FindAsync(staff.TokenHash, CancellationToken.None))?.RevokedAt, Is.Null, "B reads and caches the token");

        Assert.That(await a.RevokeAsync(staff.Id, time.GetUtcNow(), CancellationToken.None), Is.True);
        var atA = await a.FindAsync(staff.TokenHash, CancellationToken.None);
        time.Advance(Lifetime - TimeSpan.FromMilliseconds(1));
        var atBWithinLifetime = await b.FindAsync(staff.TokenHash, CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(1));
        var atBAfterLifetime = await b.FindAsync(staff.TokenHash, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(atA?.RevokedAt, Is.Not.Null, "the instance that revoked refuses at once");
            Assert.That(atBWithinLifetime?.RevokedAt, Is.Null, "without Redis nothing tells B before its entry ages: the documented bound");
            Assert.That(atBAfterLifetime?.RevokedAt, Is.Not.Null, "B reads the token again once its entry is as old as the lifetime");
        });
    }

    private static StaffDirectory Instance(IStaffStore store, TimeProvider time) => new(
        store,
        new LocalStaffRevocationFeed(),
        Options.Create(new HealthCodeOptions { Staff = { TokenCacheLifetime = Lifetime } }),
        time);
}
