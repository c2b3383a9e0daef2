using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HealthCode.Api.Tests.Support;
using HealthCode.Integration.Tests;
using Npgsql;

namespace HealthCode.Integration.Postgres;

/// <summary>
/// PostgreSQL stopped under a running service (issue 13): scans of valid codes go on from memory, each answered once its
/// audit entry is in the instance's local spool; declarations answer 503 <c>store_unavailable</c>; PostgreSQL started
/// again on the same port, the same process takes declarations again and ships every answered scan into one valid chain.
/// And an instance killed with SIGKILL before it shipped: its spool outlives it, and the restarted instance ships it.
/// </summary>
[TestFixture]
public sealed class PostgresOutageTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Test]
    public async Task WhilePostgresIsDown_ScansGoOn_DeclarationsAnswer503_AndAfterItReturns_EveryAnsweredScanIsInOneValidChain()
    {
        // A cluster of this test's own: stopping it disturbs no other fixture.
        var postgres = PostgresServer.StartPrivate();
        var data = Directory.CreateTempSubdirectory("healthcode-pg-outage-").FullName;
        try
        {
            var options = Options(await postgres.CreateDatabaseAsync(), data, new()
            {
                // The shortest a staff token is trusted from memory without a store read: the scans during the outage
                // then go through the store read that fails, and are answered from what the instance validated before.
                ["HealthCode__Staff__TokenCacheLifetime"] = "00:00:01",
            });
            await using var api = await ApiProcess.StartAsync(options, TestContext.CurrentContext.CancellationToken);
            using var client = new ServiceClient(api.BaseAddress);
            var staff = await client.EnrolStaffAsync("CP-OUTAGE");
            var phone = ResidentPage.NewPhone();
            var idNumber = IdNumbers.NewValid();
            var resident = await client.LogInResidentAsync(phone);
            await client.DeclareAsync(resident, phone, "张三艺", idNumber);
            var qr = await client.GetQrTextAsync(resident);
            var answered = new List<string> { ScanIdOf(await client.VerifyAsync(staff, qr)) };

            postgres.StopImmediately();
            // Past the staff cache's lifetime, so the scans below find the store gone (a wait, not a timing assert).
            await Task.Delay(TimeSpan.FromSeconds(1.5));

            for (var i = 0; i < 5; i++)
            {
                var verdict = await client.VerifyAsync(staff, qr);
                Assert.That((string?)verdict["color"], Is.EqualTo("green"), verdict.ToJsonString());
                answered.Add(ScanIdOf(verdict));
            }

            var garbage = await client.VerifyAsync(staff, "not a code");
            Assert.That((string?)garbage["error"]?["code"], Is.EqualTo("unsupported_format"), garbage.ToJsonString());
            answered.Add(ScanIdOf(garbage));

            var (declarationStatus, declarationBody) = await DeclareAsync(api.BaseAddress, resident, phone, idNumber);
            var (lookupStatus, lookupBody) = await PostAsync(api.BaseAddress, "/api/v1/lookup", staff.Token, new { idNumber, name = "张三艺", checkpointId = staff.CheckpointId });
            Assert.Multiple(() =>
            {
                Assert.That(declarationStatus, Is.EqualTo(HttpStatusCode.ServiceUnavailable), declarationBody);
                Assert.That((string?)JsonNode.Parse(declarationBody)!["code"], Is.EqualTo("store_unavailable"), declarationBody);
                // The person cannot be found without the store: the lookup is refused, with the same code.
                Assert.That(lookupStatus, Is.EqualTo(HttpStatusCode.ServiceUnavailable), lookupBody);
                Assert.That((string?)JsonNode.Parse(lookupBody)!["code"], Is.EqualTo("store_unavailable"), lookupBody);
                Assert.That(answered, Is.Unique, "a scanId names one entry");
            });

            postgres.StartAgain();

            // The same process, not restarted: its connection pool reconnects. The first tries may still meet connections
            // the stop broke; bounded in count and time.
            var watch = Stopwatch.StartNew();
            var recovered = (Status: HttpStatusCode.ServiceUnavailable, Body: "");
            for (var attempt = 0; attempt < 60 && watch.Elapsed < Deadline && recovered.Status != HttpStatusCode.Created; attempt++)
            {
                recovered = await DeclareAsync(api.BaseAddress, resident, phone, idNumber);
                if (recovered.Status != HttpStatusCode.Created)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500));
                }
            }

            Assert.That(recovered.Status, Is.EqualTo(HttpStatusCode.Created), recovered.Body);
            // What was acknowledged before the stop is still there: the resident's session, code and the staff member.
            answered.Add(ScanIdOf(await client.VerifyAsync(staff, await client.GetQrTextAsync(resident))));
            var chain = (await client.OperatorAsync(HttpMethod.Get, "/api/v1/admin/audit/verify", null, HttpStatusCode.OK))!;
            var inChain = await ChainScanIdsAsync(client);
            Assert.Multiple(() =>
            {
                Assert.That(chain["valid"]!.GetValue<bool>(), Is.True, chain.ToJsonString());
                Assert.That((long?)chain["spooled"], Is.Zero, chain.ToJsonString());
                Assert.That(answered.Except(inChain), Is.Empty, $"answered scans missing from the chain ({inChain.Count} entries)");
                Assert.That(inChain, Is.Unique, "no entry shipped twice");
            });
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            postgres.StopAndDelete();
            Directory.Delete(data, recursive: true);
        }
    }

    [Test]
    public async Task ScansAnswered_ThenTheInstanceKilledBeforeItShipped_AreInTheChainAfterARestart()
    {
        var database = await PostgresServer.Shared.CreateDatabaseAsync();
        var data = Directory.CreateTempSubdirectory("healthcode-pg-spool-").FullName;
        // Shipped at start and then only hourly: what is answered after the start stays in the spool until the kill.
        var options = Options(database, data, new() { ["HealthCode__Store__AuditShipInterval"] = "01:00:00" });
        try
        {
            var answered = new List<string>();
            await using (var api = await ApiProcess.StartAsync(options, TestContext.CurrentContext.CancellationToken))
            {
                using var client = new ServiceClient(api.BaseAddress);
                var staff = await client.EnrolStaffAsync("CP-SPOOL");
                var phone = ResidentPage.NewPhone();
                var resident = await client.LogInResidentAsync(phone);
                await client.DeclareAsync(resident, phone, "张三艺", IdNumbers.NewValid());
                var qr = await client.GetQrTextAsync(resident);
                for (var i = 0; i < 20; i++)
                {
                    answered.Add(ScanIdOf(await client.VerifyAsync(staff, qr)));
                }

                Assert.That(await StoredScanIdsAsync(database), Is.Empty, "nothing shipped before the kill: the scans are in the spool only");
                await api.KillAsync();
            }

            await using var restarted = await ApiProcess.StartAsync(options, TestContext.CurrentContext.CancellationToken);
            // The restarted shipper's first round, at start, ships what the killed one left; bounded wait, read behind the
            // service's back so that no request of ours ships it.
            var watch = Stopwatch.StartNew();
            var stored = await StoredScanIdsAsync(database);
            while (answered.Except(stored).Any() && watch.Elapsed < Deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200));
                stored = await StoredScanIdsAsync(database);
            }

            using var again = new ServiceClient(restarted.BaseAddress);
            var chain = (await again.OperatorAsync(HttpMethod.Get, "/api/v1/admin/audit/verify", null, HttpStatusCode.OK))!;
            Assert.Multiple(() =>
            {
                Assert.That(answered.Except(stored), Is.Empty, $"answered scans missing from the chain after the restart ({stored.Count} stored)");
                Assert.That(stored, Is.Unique);
                Assert.That(chain["valid"]!.GetValue<bool>(), Is.True, chain.ToJsonString());
            });
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    private static ApiProcessOptions Options(string connectionString, string data, Dictionary<string, string?> more)
    {
        var environment = new Dictionary<string, string?>(more)
        {
            ["ConnectionStrings__HealthCode"] = connectionString,
            ["HealthCode__Store__DataPath"] = data,
        };
        return new ApiProcessOptions { DataDirectory = data, Environment = environment };
    }

    private static string ScanIdOf(JsonObject answer)
    {
        var scanId = (string?)answer["scanId"];
        Assert.That(scanId, Is.Not.Null.And.Not.Empty, answer.ToJsonString());
        return scanId!;
    }

    /// <summary>Every scanId in the chain, through GET /api/v1/admin/audit (which ships this instance's spool first).</summary>
    private static async Task<List<string>> ChainScanIdsAsync(ServiceClient client)
    {
        var page = (await client.OperatorAsync(HttpMethod.Get, "/api/v1/admin/audit?order=asc&limit=1000", null, HttpStatusCode.OK))!;
        return [.. page["entries"]!.AsArray().Select(e => (string)e!["scanId"]!)];
    }

    /// <summary>The scan ids the chain's rows hold, read from PostgreSQL directly.</summary>
    private static async Task<List<string>> StoredScanIdsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand("SELECT scan_id FROM audit WHERE scan_id IS NOT NULL", connection);
        await using var reader = await select.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private static Task<(HttpStatusCode Status, string Body)> DeclareAsync(Uri service, string residentToken, string phone, string idNumber) =>
        PostAsync(service, "/api/v1/declarations", residentToken, new
        {
            name = "张三艺",
            idNumber,
            phone,
            region = "410100",
            travel = Array.Empty<object>(),
            symptoms = Array.Empty<string>(),
            temperature = 36.5m,
            contact = new { confirmedCase = false, suspectedCase = false, closeContactNotice = false },
        });

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(Uri service, string path, string token, object body)
    {
        using var http = new HttpClient { BaseAddress = service, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
