using HealthCode.Api.Features.DataUseLog;
using HealthCode.Api.Infrastructure.Privacy;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Trust;
using HealthCode.Api.Tests.Support;

namespace HealthCode.Api.Tests.Store;

/// <summary>
/// A batch re-scores persons and stores their codes in groups, some milliseconds after it read them: a declaration
/// made meanwhile is newer (scored with the same facts) and must not be overwritten by the older reading.
/// </summary>
[TestFixture(StoreEngine.Sqlite)]
[TestFixture(StoreEngine.Postgres)]
internal sealed class CodeUpdateTests(StoreEngine engine)
{
    private static readonly DateTimeOffset Declared = new(2026, 12, 6, 8, 0, 0, TimeSpan.FromHours(8));

    private TestStore testStore = null!;

    [SetUp]
    public async Task CreateStore() => testStore = await TestStore.CreateAsync(engine);

    [TearDown]
    public async Task DropStore() => await testStore.DisposeAsync();

    [Test]
    public async Task ARescoredCode_IsStored_OnlyWhileTheCodeIsAsItWasRead_AndItsUsesAreRecordedEitherWay()
    {
        var database = testStore.Database;
        var store = new HealthCodeStore(database, PersonalFields.Load(PrivacyFolders.Sample));
        var account = await store.GetOrCreateResidentAsync("13700000001", Declared, CancellationToken.None);
        var saved = await store.SaveDeclarationAsync(
            new DeclarationTarget(account, null, "11010519491231002X", "张三艺", BindAsHolder: true),
            new NewDeclaration(Declared, DateOnly.FromDateTime(Declared.Date), "{}", CodeColor.Green, CodeColor.Green, false, "[]", null, "v1", "张*艺", "002X"),
            [],
            CancellationToken.None);
        var personId = saved.PersonId!;
        var read = (await store.FindCodeAsync(personId, CancellationToken.None))!;
        IReadOnlyList<DataUse> uses = [new DataUse(personId, DataUsePurposes.Scoring, ScoringUses.System, "410000-CDC-002", "b-1")];

        var stale = new CodeUpdate(personId, CodeColor.Red, "[{\"code\":\"close_contact\"}]", null, Declared.AddMinutes(5), uses, read.UpdatedAt.AddMilliseconds(-1));
        var afterStale = (await store.UpdateCodesAsync([stale], CommitSync.Deferred, CancellationToken.None)).Single()!;
        Assert.That((afterStale.Color, afterStale.StatusVersion), Is.EqualTo((CodeColor.Green, read.StatusVersion)), "changed since it was read: left as it is");

        var current = stale with { ReadAt = read.UpdatedAt };
        var afterCurrent = (await store.UpdateCodesAsync([current], CommitSync.Full, CancellationToken.None)).Single()!;
        Assert.That((afterCurrent.Color, afterCurrent.StatusVersion), Is.EqualTo((CodeColor.Red, read.StatusVersion + 1)));

        var logged = await new DataUseStore(database).ForPersonsAsync([personId], null, 10, CancellationToken.None);
        Assert.That(logged, Has.Count.EqualTo(2), "the data was used by both scorings, stored or not");
    }
}
