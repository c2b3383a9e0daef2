using HealthCode.Api.Infrastructure.Store;
using HealthCode.Api.Tests.Support;

namespace HealthCode.Api.Tests.Store;

/// <summary>
/// The stores written once for both engines (DESIGN §11), each test run on SQLite and on PostgreSQL: what one stores the
/// other reads back the same, conflicts resolve the same, and a compare-and-swap lets one writer win on both.
/// </summary>
[TestFixture(StoreEngine.Sqlite)]
[TestFixture(StoreEngine.Postgres)]
internal sealed class PortableStoreTests(StoreEngine engine)
{
    private static readonly DateTimeOffset At = new(2026, 11, 28, 2, 0, 0, TimeSpan.Zero);

    private TestStore store = null!;

    [SetUp]
    public async Task CreateStore() => store = await TestStore.CreateAsync(engine);

    [TearDown]
    public async Task DropStore() => await store.DisposeAsync();

    [Test]
    public async Task Staff_AreFoundByTokenHash_AndRevokedOnce()
    {
        var staff = new StaffStore(store.Database);
        await staff.CreateAsync(new StaffRecord("s1", "Li Wei", "cp-7", "hash-1", At, At.AddDays(30), null), CancellationToken.None);

        var found = await staff.FindByTokenHashAsync("hash-1", CancellationToken.None);
        var revoked = await staff.RevokeAsync("s1", At.AddHours(1), CancellationToken.None);
        var again = await staff.RevokeAsync("s1", At.AddHours(2), CancellationToken.None);
        var after = await staff.FindByTokenHashAsync("hash-1", CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(found, Is.EqualTo(new StaffRecord("s1", "Li Wei", "cp-7", "hash-1", At, At.AddDays(30), null)));
            Assert.That(revoked && again, Is.True, "revoking a known member says so, also the second time");
            Assert.That(after!.RevokedAt, Is.EqualTo(At.AddHours(1)), "the first revocation's time stands");
            Assert.That(await staff.FindByTokenHashAsync("hash-2", CancellationToken.None), Is.Null);
            Assert.That(await staff.RevokeAsync("nobody", At, CancellationToken.None), Is.False);
        });
    }

    [Test]
    public async Task Partners_AreUpsertedByIssuer_ListedInOrder_AndRemoved()
    {
        var partners = new PartnerStore(store.Database);
        await partners.UpsertAsync(new PartnerRecord("hc-440000", "Guangdong", new Uri("https://gd.example/list"), "{\"k\":1}", At), CancellationToken.None);
        await partners.UpsertAsync(new PartnerRecord("hc-110000", "Beijing", new Uri("https://bj.example/list"), "{\"k\":2}", At), CancellationToken.None);
        await partners.UpsertAsync(new PartnerRecord("hc-440000", "Guangdong 2", new Uri("https://gd.example/v2"), "{\"k\":3}", At.AddDays(1)), CancellationToken.None);

        var listed = await partners.ListAsync(CancellationToken.None);
        var removed = await partners.RemoveAsync("hc-110000", CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(listed.Select(p => p.Issuer), Is.EqualTo(new[] { "hc-110000", "hc-440000" }));
            Assert.That(listed[1], Is.EqualTo(new PartnerRecord("hc-440000", "Guangdong 2", new Uri("https://gd.example/v2"), "{\"k\":3}", At)),
                "an upsert replaces name, list and root, and keeps when the partner was added");
            Assert.That(removed, Is.True);
            Assert.That(await partners.FindAsync("hc-110000", CancellationToken.None), Is.Null);
            Assert.That(await partners.RemoveAsync("hc-110000", CancellationToken.None), Is.False);
        });
    }

    [Test]
    public async Task HubMembers_AreUpsertedByIssuer_AndRemoved()
    {
        var members = new HubMemberStore(store.Database);
        await members.UpsertAsync(new HubMemberRecord("hc-410000", "Henan", new Uri("https://ha.example/list"), "{}", "active", At), CancellationToken.None);
        await members.UpsertAsync(new HubMemberRecord("hc-410000", "Henan", new Uri("https://ha.example/list"), "{}", "suspended", At.AddDays(1)), CancellationToken.None);

        var listed = await members.ListAsync(CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(listed, Is.EqualTo(new[] { new HubMemberRecord("hc-410000", "Henan", new Uri("https://ha.example/list"), "{}", "suspended", At) }));
            Assert.That(await members.RemoveAsync("hc-410000", CancellationToken.None), Is.True);
            Assert.That(await members.ListAsync(CancellationToken.None), Is.Empty);
        });
    }

    [Test]
    public async Task SignedLists_AreReplaced_OnlyFromTheSequenceHeld()
    {
        var lists = new SignedListStore(store.Database);

        var first = await lists.TryReplaceAsync("trust-list", null, new SignedListRecord(1, "h1", "jws1"), CancellationToken.None);
        var firstAgain = await lists.TryReplaceAsync("trust-list", null, new SignedListRecord(1, "h1b", "jws1b"), CancellationToken.None);
        var next = await lists.TryReplaceAsync("trust-list", 1, new SignedListRecord(2, "h2", "jws2"), CancellationToken.None);
        var stale = await lists.TryReplaceAsync("trust-list", 1, new SignedListRecord(2, "h2b", "jws2b"), CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That((first, firstAgain, next, stale), Is.EqualTo((true, false, true, false)), "one writer wins each step");
            Assert.That(await lists.GetAsync("trust-list", CancellationToken.None), Is.EqualTo(new SignedListRecord(2, "h2", "jws2")));
            Assert.That(await lists.GetAsync("federation", CancellationToken.None), Is.Null);
        });
    }

    [Test]
    public async Task Operators_AreListed_FoundByTokenHash_AndRevokedOnce()
    {
        var operators = new OperatorStore(store.Database);
        await operators.CreateAsync(new OperatorRecord("op1", "Zhang San", ["health", "sharing"], "t1", At, At.AddDays(90), null, "bootstrap"), CancellationToken.None);
        await operators.CreateAsync(new OperatorRecord("op2", "Wang Wu", ["admin"], "t2", At.AddMinutes(1), At.AddDays(90), null, "op1"), CancellationToken.None);

        await operators.RevokeAsync("op1", At.AddHours(1), CancellationToken.None);
        await operators.RevokeAsync("op1", At.AddHours(2), CancellationToken.None);
        var found = await operators.FindByTokenHashAsync("t1", CancellationToken.None);
        var listed = await operators.ListAsync(CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(listed.Select(o => o.Id), Is.EqualTo(new[] { "op1", "op2" }));
            Assert.That(found!.Roles, Is.EqualTo(new[] { "health", "sharing" }));
            Assert.That(found.RevokedAt, Is.EqualTo(At.AddHours(1)));
            Assert.That(listed[1].RevokedAt, Is.Null);
        });
    }

    [Test]
    public async Task ABatch_IsClaimedByOneInstance_UntilItsClaimLapses()
    {
        var batches = new BatchStore(store.Database);
        await batches.BeginAsync(new BatchRecord(
            "410000-CDC-002", "b-1", "receiving", "close_contacts", "text/csv", "sha", 10, At, "{}", "cdc", At, null, null, 0, 0, 0, null), CancellationToken.None);

        var first = await batches.ClaimAsync("410000-CDC-002", "b-1", "instance-a", At, At.AddMinutes(5), CancellationToken.None);
        var other = await batches.ClaimAsync("410000-CDC-002", "b-1", "instance-b", At.AddMinutes(1), At.AddMinutes(6), CancellationToken.None);
        var renewed = await batches.ClaimAsync("410000-CDC-002", "b-1", "instance-a", At.AddMinutes(2), At.AddMinutes(7), CancellationToken.None);
        var afterLapse = await batches.ClaimAsync("410000-CDC-002", "b-1", "instance-b", At.AddMinutes(8), At.AddMinutes(13), CancellationToken.None);
        var nobody = await batches.ClaimAsync("410000-CDC-002", "b-2", "instance-a", At, At.AddMinutes(5), CancellationToken.None);

        Assert.That((first, other, renewed, afterLapse, nobody), Is.EqualTo((true, false, true, true, false)),
            "one holder at a time; the holder renews; a lapsed claim is taken over; an unknown batch is never claimed");
    }
}
