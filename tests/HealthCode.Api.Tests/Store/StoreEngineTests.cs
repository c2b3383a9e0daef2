using HealthCode.Api.Infrastructure.Settings;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Api.Tests.Support;

namespace HealthCode.Api.Tests.Store;

/// <summary>The connection string picks the engine (DESIGN §11); one that names none, or both, stops the start with one line.</summary>
[TestFixture]
internal sealed class StoreEngineTests
{
    [TestCase(null, StoreEngine.Sqlite)]
    [TestCase("", StoreEngine.Sqlite)]
    [TestCase("Data Source=data/healthcode.db", StoreEngine.Sqlite)]
    [TestCase("Data Source=/var/lib/hc/hc.db;Pooling=False", StoreEngine.Sqlite)]
    [TestCase("Host=db.internal;Database=healthcode;Username=hc", StoreEngine.Postgres)]
    [TestCase("Server=127.0.0.1;Port=5432;Database=hc", StoreEngine.Postgres)]
    public void TheConnectionString_NamesTheEngine(string? configured, StoreEngine expected) =>
        Assert.That(StoreConnectionString.EngineOf(configured), Is.EqualTo(expected));

    [TestCase("Host=db;Data Source=hc.db")]
    [TestCase("Database=healthcode")]
    [TestCase("Host=db;=broken")]
    public void AConnectionString_ThatNamesBothOrNeither_IsRefused(string configured) =>
        Assert.That(() => StoreConnectionString.EngineOf(configured),
            Throws.TypeOf<SettingException>().With.Message.Contains("ConnectionStrings:HealthCode"));

    [Test]
    public void TheService_RefusesToStart_OnAConnectionStringThatNamesNoEngine()
    {
        var error = HealthCodeFactory.StartFailure(settings: new() { ["ConnectionStrings:HealthCode"] = "Database=healthcode" });

        Assert.That(error, Is.TypeOf<SettingException>().With.Message.Contains("ConnectionStrings:HealthCode must name either"));
    }

    [Test]
    public async Task TextWithANulCharacter_WhichPostgresCannotHold_IsAnswered400NulCharacter_NotA500()
    {
        using var factory = new HealthCodeFactory(settings: new() { ["ConnectionStrings:HealthCode"] = await PostgresServer.Shared.CreateDatabaseAsync() });

        // A staff member's name may be any text: the store, not the validator, meets the U+0000.
        var response = await StaffClient.Operator(factory.CreateClient(), HttpMethod.Post, "/api/v1/admin/staff", new { name = "王\u0000检查", checkpointId = "gate-1" });

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.BadRequest));
            Assert.That((await ResidentClient.JsonAsync(response))["code"]!.GetValue<string>(), Is.EqualTo("nul_character"));
        });
    }
}
