using Dapper;
using HealthCode.Api.Features.Overrides;
using HealthCode.Api.Features.Sharing;
using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Privacy;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Api.Infrastructure.Store.Postgres;
using HealthCode.Api.Tests.Support;
using HealthCode.Trust;
using HealthCode.Trust.Privacy;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HealthCode.Api.Tests.Privacy;

/// <summary>
/// DESIGN §11 on both engines: personal values written under one data key still read once another is current, and the
/// re-encryption job rewraps them all; a database of schema step 13 (SQLite) or script 0002 (PostgreSQL) with its rows
/// in clear is encrypted and indexed by the job's first pass and reads back the same.
/// </summary>
[TestFixture(StoreEngine.Sqlite)]
[TestFixture(StoreEngine.Postgres)]
internal sealed class PersonalDataJobTests(StoreEngine engine)
{
    private const string Phone = "13700000011";
    private const string IdNumber = "11010519491231002X";
    private const string Name = "张三艺";
    private const string Payload = """{"name":"张三艺","region":"410105","travel":[{"region":"310101","from":"2026-12-01","to":"2026-12-02"}]}""";
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 8, 0, 0, TimeSpan.FromHours(8));

    /// <summary>Every encrypted column, as (table, column).</summary>
    private static readonly (string Table, string Column)[] Encrypted =
    [
        ("residents", "phone"), ("persons", "id_number"), ("persons", "full_name"), ("declarations", "payload"),
        ("fact_population", "id_number"), ("fact_population", "name"),
    ];

    private readonly List<IAsyncDisposable> owned = [];

    [TearDown]
    public async Task DisposeAsync()
    {
        foreach (var item in owned)
        {
            await item.DisposeAsync();
        }

        owned.Clear();
    }

    [Test]
    public async Task ValuesOfAnOldKey_StillRead_AfterAnotherBecomesCurrent_AndTheJobRewrapsEveryOne()
    {
        var database = await FreshStoreAsync();
        var folder = PrivacyFolders.CopyOfSample();
        PrivacyKeyFolder.MakeCurrent(folder, PrivacyFolders.OldDataKid);
        var underA = PersonalFields.Load(folder);
        var personId = await WriteAsync(database, underA);
        Assert.That(await StoredAsync(database), Has.All.StartWith($"v1.{PrivacyFolders.OldDataKid}."), "written under key A");

        PrivacyKeyFolder.MakeCurrent(folder, PrivacyFolders.CurrentDataKid);
        var ring = PrivacyKeyRing.Load(folder);
        var underB = new PersonalFields(new FieldCipher(ring), new BlindIndex(ring));
        await AssertReadsAsync(database, underB, personId, "before the job");

        var result = await Job(database, ring).RunAsync(rewrap: true, CancellationToken.None);
        var stored = await StoredAsync(database);

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(new JobResult(Encrypted.Length, 0, 0)), "each value rewrapped once, none left");
            Assert.That(stored, Has.All.StartWith($"v1.{PrivacyFolders.CurrentDataKid}."), "all under key B");
        });
        await AssertReadsAsync(database, underB, personId, "after the job");
        Assert.That(await Job(database, ring).RunAsync(rewrap: true, CancellationToken.None), Is.EqualTo(new JobResult(0, 0, 0)), "a second run finds nothing");
    }

    /// <summary>During a rotation an instance still on the old current key leaves what one on the new key wrote, never rewrapping it back.</summary>
    [Test]
    public async Task AnInstanceStillOnTheOlderKey_LeavesValuesOfANewerKey_AsTheyAre()
    {
        var database = await FreshStoreAsync();
        var folder = PrivacyFolders.CopyOfSample();
        var olderRing = PrivacyKeyRing.Load(folder);
        var newer = PrivacyKeyFolder.Generate(folder, PrivacyKeyUse.Data, DateTimeOffset.UtcNow);
        PrivacyKeyFolder.MakeCurrent(folder, newer);
        var personId = await WriteAsync(database, PersonalFields.Load(folder));

        var result = await Job(database, olderRing).RunAsync(rewrap: true, CancellationToken.None);
        var stored = await StoredAsync(database);

        Assert.Multiple(() =>
        {
            Assert.That(result.Rewritten, Is.Zero);
            Assert.That(stored, Has.All.StartWith($"v1.{newer}."), "still under the newer key");
        });
        await AssertReadsAsync(database, new PersonalFields(new FieldCipher(olderRing), new BlindIndex(olderRing)), personId, "at the older instance");
    }

    [Test]
    public async Task RowsInClear_OfTheSchemaBeforeEncryption_AreEncryptedAndIndexed_AndReadBack()
    {
        var database = await StoreBeforeEncryptionAsync();
        await using (var connection = await database.OpenConnectionAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync($"""
                INSERT INTO residents (id, phone, created_at) VALUES ('acc1', '{Phone}', 0);
                INSERT INTO persons (id, id_number, full_name, account_id, role, bound_at, created_at) VALUES ('p1', '{IdNumber}', '{Name}', 'acc1', 'holder', 0, 0);
                INSERT INTO declarations (resident_id, person_id, submitted_at, day, payload, raw_color, color, negative_test, policy_version)
                    VALUES ('acc1', 'p1', 1, '2026-12-06', '{Payload}', 0, 0, 0, 'v1');
                INSERT INTO fact_population (id_number, name, region, source, batch_id) VALUES ('{IdNumber}', '{Name}', '410105', '410000-GA-001', 'b1');
                """);
        }

        await MigrateAsync(database);
        var ring = PrivacyKeyRing.Load(PrivacyFolders.Sample);
        var personal = new PersonalFields(new FieldCipher(ring), new BlindIndex(ring));
        var result = await Job(database, ring).EncryptClearAsync(CancellationToken.None);
        var stored = await StoredAsync(database);
        var regions = await RegionsAsync(database);

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(new JobResult(Encrypted.Length, 0, 0)), "every clear value encrypted, none left");
            Assert.That(stored, Has.All.StartWith($"v1.{PrivacyFolders.CurrentDataKid}."));
            Assert.That(regions, Is.EquivalentTo(new[] { "410105", "310101" }), "the declared and travel regions, in clear");
        });
        await AssertReadsAsync(database, personal, "p1", "after the upgrade");
    }

    /// <summary>A resident, their declaration (as holder) and a register row, through the stores; the person's id.</summary>
    private static async Task<string> WriteAsync(IStoreDatabase database, PersonalFields personal)
    {
        var store = new HealthCodeStore(database, personal);
        var account = await store.GetOrCreateResidentAsync(Phone, Now, CancellationToken.None);
        var saved = await store.SaveDeclarationAsync(
            new DeclarationTarget(account, null, IdNumber, Name, BindAsHolder: true),
            new NewDeclaration(Now, DateOnly.FromDateTime(Now.Date), Payload, CodeColor.Green, CodeColor.Green, false, "[]", null, "v1", "张*艺", "002X"),
            [],
            CancellationToken.None);
        var facts = new FactStore(database, new OverrideStore(database, personal), personal);
        var batch = new BatchRecord("410000-GA-001", "b1", "applying", "population", "text/csv", "", 1, Now, "{}", "ga", Now, null, null, 0, 0, 0, null);
        await facts.ApplyAsync(batch, [new PopulationRow(2, false, IdNumber, Name, "410105")], Now, CancellationToken.None);
        return saved.PersonId!;
    }

    /// <summary>Each value reads back through the stores, and the look-ups by blind index find it.</summary>
    private static async Task AssertReadsAsync(IStoreDatabase database, PersonalFields personal, string personId, string when)
    {
        var persons = new PersonStore(database, personal);
        var person = await persons.FindByIdNumberAsync(IdNumber, CancellationToken.None);
        var account = await persons.FindAccountByPhoneAsync(Phone, CancellationToken.None);
        var latest = await new HealthCodeStore(database, personal).GetLatestDeclarationAsync(personId, CancellationToken.None);
        var register = await new FactStore(database, new OverrideStore(database, personal), personal).CheckRegisterAsync(IdNumber, Name, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That((person?.Id, person?.IdNumber, person?.FullName, person?.AccountPhone), Is.EqualTo((personId, IdNumber, Name, Phone)), when);
            Assert.That(account, Is.EqualTo(person?.AccountId), when);
            Assert.That(latest?.PayloadJson, Is.EqualTo(Payload), when);
            Assert.That(register.Answer, Is.EqualTo(RegisterAnswer.Holds), when);
        });
    }

    private static async Task<List<string>> StoredAsync(IStoreDatabase database)
    {
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
        var values = new List<string>();
        foreach (var (table, column) in Encrypted)
        {
            var stored = (await connection.QueryAsync<string>($"SELECT {column} FROM {table}")).ToList();
            Assert.That(stored, Has.Count.EqualTo(1), $"{table}.{column}");
            values.AddRange(stored);
        }

        return values;
    }

    private static async Task<List<string>> RegionsAsync(IStoreDatabase database)
    {
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
        return [.. await connection.QueryAsync<string>("SELECT region FROM declaration_regions WHERE person_id = 'p1'")];
    }

    private static PersonalDataJob Job(IStoreDatabase database, PrivacyKeyRing ring) => new(
        database, new FieldCipher(ring), new BlindIndex(ring), NullLogger<PersonalDataJob>.Instance);

    private async Task<IStoreDatabase> FreshStoreAsync()
    {
        var store = await TestStore.CreateAsync(engine);
        owned.Add(store);
        return store.Database;
    }

    /// <summary>A database of the schema before encryption: SQLite's step 13, PostgreSQL's script 0002.</summary>
    private async Task<IStoreDatabase> StoreBeforeEncryptionAsync()
    {
        if (engine == StoreEngine.Postgres)
        {
            var postgres = new PostgresDatabase(await PostgresServer.Shared.CreateDatabaseAsync());
            owned.Add(postgres);
            await postgres.MigrateAsync(2, CancellationToken.None);
            return postgres;
        }

        var file = Path.Combine(Path.GetTempPath(), "healthcode-tests", Guid.NewGuid().ToString("N"), "hc.db");
        var sqlite = new SqliteDatabase($"Data Source={file}");
        await sqlite.MigrateAsync(13, CancellationToken.None);
        return sqlite;
    }

    private static Task MigrateAsync(IStoreDatabase database) => database switch
    {
        PostgresDatabase postgres => postgres.MigrateAsync(CancellationToken.None),
        SqliteDatabase sqlite => sqlite.MigrateAsync(CancellationToken.None),
        _ => throw new ArgumentException("An engine this test does not know.", nameof(database)),
    };
}

/// <summary>A value written by an instance already on a newer data key reads at one still on the older (rotation, several instances).</summary>
[TestFixture]
internal sealed class KeyRingReloadTests
{
    [Test]
    public void AValueUnderADataKeyAddedAfterStart_Reads_OnceTheFolderHasIt()
    {
        var folder = PrivacyFolders.CopyOfSample();
        using var earlyRing = PrivacyKeyRing.Load(folder);
        using var early = new FieldCipher(earlyRing);
        var kid = PrivacyKeyFolder.Generate(folder, PrivacyKeyUse.Data, DateTimeOffset.UtcNow);
        PrivacyKeyFolder.MakeCurrent(folder, kid);
        using var lateRing = PrivacyKeyRing.Load(folder);
        using var late = new FieldCipher(lateRing);

        var written = late.Protect(PrivacyField.Phone, "13700000012", "acc2");

        Assert.Multiple(() =>
        {
            Assert.That(written, Does.StartWith($"v1.{kid}."));
            Assert.That(early.Unprotect(PrivacyField.Phone, written, "acc2"), Is.EqualTo("13700000012"), "the older instance loads the new key");
            Assert.That(early.CurrentKid, Is.EqualTo(PrivacyFolders.CurrentDataKid), "and still writes with its own current key until restarted");
        });
    }

    [Test]
    public void AKidTheFolderDoesNotHave_IsRefused_AndTheFolderIsReadAgainAtMostOncePerInterval()
    {
        var folder = PrivacyFolders.CopyOfSample();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        using var ring = PrivacyKeyRing.Load(folder, time);

        Assert.That(ring.TryLoadDataKey("0badc0de"), Is.Null, "no such key");
        var kid = PrivacyKeyFolder.Generate(folder, PrivacyKeyUse.Data, DateTimeOffset.UtcNow);
        Assert.That(ring.TryLoadDataKey(kid), Is.Null, "within the interval the folder is not read again");
        time.Advance(PrivacyKeyRing.ReloadInterval);
        Assert.That(ring.TryLoadDataKey(kid)?.Kid, Is.EqualTo(kid), "after it, the new key is loaded");
    }
}
