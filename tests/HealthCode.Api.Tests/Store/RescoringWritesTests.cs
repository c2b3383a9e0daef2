using System.Globalization;
using System.Reflection;
using System.Text.Json;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Features.Overrides;
using HealthCode.Api.Features.Sharing;
using HealthCode.Api.Infrastructure.Http;
using HealthCode.Api.Infrastructure.Privacy;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Api.Infrastructure.Verification;
using HealthCode.Api.Tests.Features.Declarations;
using HealthCode.Api.Tests.Support;
using HealthCode.Trust;
using Microsoft.Extensions.Time.Testing;

namespace HealthCode.Api.Tests.Store;

/// <summary>
/// A batch's re-scoring writes each group's commit (codes and data uses) on another thread while the next groups are
/// scored (<see cref="PersonRescoring.RescoreAllAsync"/>): the scoring goes on while commits wait, up to the number
/// allowed, the commits are written in the order the groups were scored, and a commit that failed stops every one
/// after it.
/// </summary>
[TestFixture(StoreEngine.Sqlite)]
[TestFixture(StoreEngine.Postgres)]
internal sealed class RescoringWritesTests(StoreEngine engine)
{
    private const int Persons = 8;
    private static readonly DateTimeOffset Declared = new(2026, 12, 6, 8, 0, 0, TimeSpan.FromHours(8));
    private static readonly RiskScorer Scorer = new(RiskPolicy.Load(RiskPolicyTests.DefaultPolicyPath));

    private TestStore testStore = null!;
    private HealthCodeStore store = null!;
    private FactStore facts = null!;
    private List<string> personIds = null!;

    [SetUp]
    public async Task SeedPersons()
    {
        testStore = await TestStore.CreateAsync(engine);
        var personal = PersonalFields.Load(PrivacyFolders.Sample);
        store = new HealthCodeStore(testStore.Database, personal);
        facts = new FactStore(testStore.Database, new OverrideStore(testStore.Database, personal), personal);
        personIds = [];
        for (var i = 0; i < Persons; i++)
        {
            var first17 = "41010519900101" + i.ToString("D3", CultureInfo.InvariantCulture);
            var idNumber = first17 + IdNumber.CheckCharacter(first17);
            var declaration = new Declaration("张三艺", idNumber, null, "410105", [], [], 36.6m, new ContactDeclaration(false, false, false), null);
            var account = await store.GetOrCreateResidentAsync($"1370000{i:D4}", Declared, CancellationToken.None);
            var saved = await store.SaveDeclarationAsync(
                new DeclarationTarget(account, null, idNumber, "张三艺", BindAsHolder: true),
                new NewDeclaration(Declared, DateOnly.FromDateTime(Declared.Date), JsonSerializer.Serialize(declaration, StrictJson.Options),
                    CodeColor.Green, CodeColor.Green, false, "[]", null, "v1", "张*艺", IdNumber.Tail(idNumber)),
                [],
                CancellationToken.None);
            personIds.Add(saved.PersonId!);
        }
    }

    [TearDown]
    public async Task DropStore() => await testStore.DisposeAsync();

    [Test]
    public async Task WhileTheFirstCommitIsHeld_TheScoringGoesOnForAsManyGroupsAsMayWait_ThenEveryCommitIsWrittenInOrder()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watched = CommitWatch.Around(store, hold: held.Task);
        var rescoring = Rescoring(watched);
        var committed = 0;

        var running = rescoring.RescoreAllAsync(personIds, groupSize: 1, CommitSync.Deferred, done => Interlocked.Add(ref committed, done), CancellationToken.None, writesAhead: 3);

        // Group 1's commit is held; groups 2 and 3 wait behind it, group 4 is scored and waits for room.
        await WaitUntil(() => CommitWatch.Of(watched).PersonsRead >= 4, "the scoring to go on to the 4th group while the 1st commit is held");
        await Task.Delay(200);
        Assert.Multiple(() =>
        {
            Assert.That(CommitWatch.Of(watched).PersonsRead, Is.EqualTo(4), "the scoring stops when 3 commits wait");
            Assert.That(committed, Is.Zero);
        });

        held.SetResult();
        await running;

        Assert.Multiple(() =>
        {
            Assert.That(CommitWatch.Of(watched).Written, Is.EqualTo(personIds), "every group's commit, in the order the groups were scored");
            Assert.That(committed, Is.EqualTo(Persons));
        });
    }

    [Test]
    public async Task ACommitThatFails_FailsTheRescoring_AndNoCommitAfterItIsWritten()
    {
        var watched = CommitWatch.Around(store, failAt: 3);
        var rescoring = Rescoring(watched);

        Assert.ThrowsAsync<IOException>(() => rescoring.RescoreAllAsync(personIds, groupSize: 1, CommitSync.Deferred, _ => { }, CancellationToken.None, writesAhead: 4));
        await Task.Delay(200);
        Assert.That(CommitWatch.Of(watched).Written, Is.EqualTo(personIds.Take(2)), "the commits before the failed one, none after it");
    }

    private PersonRescoring Rescoring(IHealthCodeStore watched) =>
        new(watched, facts, Scorer, new LocalCodeStatusFeed(new CodeStatusIndex()), new FakeTimeProvider(Declared.AddHours(1)));

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"waited 15 s for {what}");
            await Task.Delay(10);
        }
    }
}

/// <summary>
/// The store, every call passed through, watching the re-scoring: how many persons it read, and which persons' codes
/// were committed in which order; it can hold the first commit until a task completes, or fail the n-th.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1852:Seal internal types", Justification = "DispatchProxy.Create derives the proxy's type from it.")]
internal class CommitWatch : DispatchProxy
{
    private readonly List<string> written = [];
    private IHealthCodeStore inner = null!;
    private Task hold = Task.CompletedTask;
    private int failAt;
    private int commits;
    private int personsRead;

    public int PersonsRead => Volatile.Read(ref personsRead);

    public IReadOnlyList<string> Written
    {
        get
        {
            lock (written)
            {
                return [.. written];
            }
        }
    }

    public static IHealthCodeStore Around(IHealthCodeStore store, Task? hold = null, int failAt = 0)
    {
        var proxy = Create<IHealthCodeStore, CommitWatch>();
        var self = Of(proxy);
        (self.inner, self.hold, self.failAt) = (store, hold ?? Task.CompletedTask, failAt);
        return proxy;
    }

    public static CommitWatch Of(IHealthCodeStore proxy) => (CommitWatch)(object)proxy;

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IHealthCodeStore.GetLatestDeclarationAsync))
        {
            Interlocked.Increment(ref personsRead);
        }

        return targetMethod.Name == nameof(IHealthCodeStore.UpdateCodesAsync) && args is [IReadOnlyList<CodeUpdate> updates, CommitSync sync, CancellationToken token]
            ? CommitAsync(updates, sync, token)
            : targetMethod.Invoke(inner, args);
    }

    private async Task<IReadOnlyList<CodeRecord?>> CommitAsync(IReadOnlyList<CodeUpdate> updates, CommitSync sync, CancellationToken cancellationToken)
    {
        var commit = Interlocked.Increment(ref commits);
        if (commit == 1)
        {
            await hold;
        }

        if (commit == failAt)
        {
            throw new IOException("the store failed this commit");
        }

        var codes = await inner.UpdateCodesAsync(updates, sync, cancellationToken);
        lock (written)
        {
            written.AddRange(updates.Select(u => u.PersonId));
        }

        return codes;
    }
}
