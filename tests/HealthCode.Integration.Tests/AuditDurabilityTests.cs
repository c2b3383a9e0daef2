using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace HealthCode.Integration.Tests;

/// <summary>
/// DESIGN §10 "Audit durability" against the real service process: a scan that was answered is in the audit even
/// when the process is killed with SIGKILL in the middle of a load, and the chain check then still holds, and
/// catches entries deleted from its end (issue 9, item 3).
/// </summary>
[TestFixture]
public sealed class AuditDurabilityTests
{
    private const int Scanners = 8;
    private const int MaxScansPerScanner = 50_000;
    private const int KillRounds = 3;
    private static readonly TimeSpan ScanTime = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Test]
    public async Task EveryAnsweredScan_IsInTheAuditAfterKill9_AndRowsDeletedFromTheEndAreDetected()
    {
        var data = Directory.CreateTempSubdirectory("healthcode-kill9-").FullName;
        var options = new ApiProcessOptions { DataDirectory = data };
        var answered = new ConcurrentBag<Scan>();
        try
        {
            // The staff member and the codes live in the data folder and outlast each kill. A code for each scanner, so
            // that an answered scan is known by its code as well as by its scanId.
            StaffMember staff;
            var codes = new List<Code>();
            await using (var api = await ApiProcess.StartAsync(options, TestContext.CurrentContext.CancellationToken))
            {
                using var client = new ServiceClient(api.BaseAddress);
                staff = await client.EnrolStaffAsync("CP-KILL9");
                for (var i = 0; i < Scanners; i++)
                {
                    var phone = ResidentPage.NewPhone();
                    var token = await client.LogInResidentAsync(phone);
                    var declared = await client.DeclareAsync(token, phone, "张三艺", IdNumbers.NewValid(), confirmedCaseContact: i % 2 == 1);
                    codes.Add(new Code(await client.GetQrTextAsync(token), declared["codeId"]!.GetValue<string>()));
                }
            }

            // Several crashes, each at its own moment of the load, and each restart goes on from what the last one left.
            for (var round = 1; round <= KillRounds; round++)
            {
                await using var api = await ApiProcess.StartAsync(options, TestContext.CurrentContext.CancellationToken);
                var before = answered.Count;
                await ScanThenKillAsync(api, staff, codes, answered);
                TestContext.Out.WriteLine($"round {round}: {answered.Count - before} scans answered 200 before kill -9");
            }

            await using var restarted = await ApiProcess.StartAsync(options, TestContext.CurrentContext.CancellationToken);
            using var operatorClient = new ServiceClient(restarted.BaseAddress);
            var stored = StoredCodeIds(data);
            Assert.That(answered.Where(scan => stored.GetValueOrDefault(scan.ScanId) != scan.CodeId).OrderBy(scan => scan.ScanId).ToList(), Is.Empty,
                $"answered scans whose scanId is not their entry in the audit ({answered.Count} answered, {stored.Count} entries stored)");
            var report = await ChainAsync(operatorClient);
            Assert.That(report["valid"]!.GetValue<bool>(), Is.True, report.ToJsonString());

            // What someone with write access to the database file might do: remove the last scans.
            Execute(data, "DELETE FROM audit WHERE seq > (SELECT max(seq) FROM audit) - 3");
            var tampered = await ChainAsync(operatorClient);
            Assert.Multiple(() =>
            {
                Assert.That(tampered["valid"]!.GetValue<bool>(), Is.False, tampered.ToJsonString());
                Assert.That(tampered["problem"]!.GetValue<string>(), Does.Contain("missing from the end"));
            });
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Eight scanners scan until the service is killed under them, a few seconds in; answered scanIds go to <paramref name="answered"/>.</summary>
    private static async Task ScanThenKillAsync(ApiProcess api, StaffMember staff, List<Code> codes, ConcurrentBag<Scan> answered)
    {
        var refused = new ConcurrentBag<string>();
        using var http = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        using var bound = new CancellationTokenSource(Bound);
        var before = answered.Count;
        var scanning = Enumerable.Range(0, Scanners)
            .Select(i => Task.Run(() => ScanUntilGoneAsync(http, staff, codes[i], answered, refused, bound.Token)))
            .ToArray();

        // Kill while all eight scan: after a while, and only once scans are being answered.
        var running = Stopwatch.StartNew();
        while ((running.Elapsed < ScanTime || answered.Count == before) && running.Elapsed < Bound / 2 && !scanning.Any(t => t.IsCompleted))
        {
            await Task.Delay(100);
        }

        Assert.That(scanning.Any(t => t.IsCompleted), Is.False, $"a scanner stopped before the kill: {string.Join("; ", refused)}");
        await api.KillAsync();
        await Task.WhenAll(scanning);
        Assert.Multiple(() =>
        {
            Assert.That(answered, Has.Count.GreaterThan(before));
            Assert.That(refused, Is.Empty, "every scan before the kill got a verdict");
        });
    }

    /// <summary>Scans <paramref name="code"/> over and over, keeping each answered scanId, until the service is gone (or the bound).</summary>
    private static async Task ScanUntilGoneAsync(
        HttpClient http, StaffMember staff, Code code, ConcurrentBag<Scan> answered, ConcurrentBag<string> refused, CancellationToken bound)
    {
        for (var i = 0; i < MaxScansPerScanner && !bound.IsCancellationRequested; i++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/verify")
                {
                    Content = JsonContent.Create(new { qr = code.Qr, checkpointId = staff.CheckpointId }),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", staff.Token);
                using var response = await http.SendAsync(request, bound);
                var text = await response.Content.ReadAsStringAsync(bound);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    refused.Add($"{(int)response.StatusCode} {text}");
                    return;
                }

                answered.Add(new Scan(JsonNode.Parse(text)!["scanId"]!.GetValue<string>(), code.CodeId));
            }
            catch (HttpRequestException)
            {
                // The service is gone: an answer cut off by the kill was never given.
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task<JsonNode> ChainAsync(ServiceClient client) =>
        (await client.OperatorAsync(HttpMethod.Get, "/api/v1/admin/audit/verify", null, HttpStatusCode.OK))!;

    /// <summary>The audit as stored: each entry's seq (as a scanId) and the code id it records.</summary>
    private static Dictionary<string, string?> StoredCodeIds(string data)
    {
        using var connection = Open(data);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, code_id FROM audit";
        using var reader = command.ExecuteReader();
        var entries = new Dictionary<string, string?>();
        while (reader.Read())
        {
            entries.Add(reader.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture), reader.IsDBNull(1) ? null : reader.GetString(1));
        }

        return entries;
    }

    private static void Execute(string data, string sql)
    {
        using var connection = Open(data);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>The service's audit file (ApiProcess puts the store's <c>hc.db</c> in the data folder, the audit's beside it), opened behind its back.</summary>
    private static SqliteConnection Open(string data)
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(data, "hc.audit.db")};Pooling=False");
        connection.Open();
        return connection;
    }

    private sealed record Code(string Qr, string CodeId);

    private sealed record Scan(string ScanId, string CodeId);
}
