using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using HealthCode.Api.Tests.Support;
using HealthCode.Integration.Federation;
using HealthCode.Integration.Tests;

namespace HealthCode.Integration.Scale;

/// <summary>
/// Three instances of one province (Henan, 410000) behind one nginx, as DESIGN §11 deploys them: the same keys, the
/// same Redis and the same store, round robin with no stickiness. What one instance did, every other must honour:
/// a session, a scan's place in the audit chain, a use's place in the data-use chain, a batch applied once, whole,
/// even when the instance applying it is killed half-way.
/// </summary>
/// <remarks>
/// The store is the province's one database: a database of its own on the test run's PostgreSQL, as deployed, with a
/// data folder per instance for what an instance keeps to itself (the batches it received); or one SQLite file in WAL
/// mode on this host, which the three processes share (as <see cref="TwoInstanceTests"/> does).
/// </remarks>
[TestFixture("postgres")]
[TestFixture("sqlite")]
[NonParallelizable]
public sealed class ThreeInstanceTests(string engine)
{
    private const string Province = "410000";

    /// <summary>The rows of the large batches an instance is killed in the middle of.</summary>
    private const int Rows = 100_000;

    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(90);

    /// <summary>
    /// How long 100,000 rows may take to apply: PostgreSQL applied them at 1,100 a second on this 2-core machine while
    /// other builds ran (about 90 s), and the instance taking a batch over first waits for the claim to lapse.
    /// </summary>
    private static readonly TimeSpan BatchTimeout = TimeSpan.FromMinutes(5);

    private string _work = null!;
    private RedisServer _redis = null!;
    private readonly List<ProvinceNode> _instances = [];
    private NginxFront _front = null!;
    private ServiceClient _client = null!;
    private AccountabilityClient _departments = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        var clock = Stopwatch.StartNew();
        _work = Directory.CreateTempSubdirectory("healthcode-three-instances-").FullName;
        _redis = await RedisServer.StartAsync(ct);
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Redis"] = _redis.Configuration,
            // nginx forwards the client's address; the instances trust it from the loopback only.
            ["HealthCode__Network__TrustedProxies__0"] = "127.0.0.1",
            // A batch whose instance is gone waits this long (5 minutes by default) before another takes it up.
            ["HealthCode__Sharing__ClaimLease"] = "00:00:06",
        };
        if (engine == "postgres")
        {
            settings["ConnectionStrings__HealthCode"] = await PostgresServer.Shared.CreateDatabaseAsync(ct);
        }

        try
        {
            // One after the other: each migrates the store at start, and two processes migrating one new store at the same moment race.
            for (var i = 0; i < 3; i++)
            {
                var own = new Dictionary<string, string?>(settings);
                if (engine == "postgres")
                {
                    own["HealthCode__Store__DataPath"] = Directory.CreateDirectory(Path.Combine(_work, $"instance-{i}")).FullName;
                }

                var instance = ProvinceNode.Create(_work, Province, "河南省", own);
                _instances.Add(instance);
                await instance.StartAsync(ct);
            }

            _front = await NginxFront.StartAsync(_work, [.. _instances.Select(i => i.Port)], ct);
            _client = new ServiceClient(_front.BaseAddress);
            _departments = await AccountabilityClient.ConnectAsync(_front.BaseAddress, service: null, ct);
        }
        catch
        {
            await TestContext.Progress.WriteLineAsync(OutputTails());
            throw;
        }

        await TestContext.Progress.WriteLineAsync($"Redis, three Henan instances on {engine} and nginx up in {clock.Elapsed.TotalSeconds:F1} s");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_departments is not null)
        {
            await _departments.DisposeAsync();
        }

        _client?.Dispose();
        if (_front is not null)
        {
            await _front.DisposeAsync();
        }

        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_work is not null)
        {
            FederationTopology.DeleteDirectory(_work);
        }
    }

    [TearDown]
    public void ReportProcessOutputOnFailure() => FederationTopology.ReportOnFailure(OutputTails);

    [Test]
    public async Task TheFront_SpreadsRequestsOverAllThreeInstances()
    {
        var answeredBy = new HashSet<string>(StringComparer.Ordinal);
        using var http = new HttpClient { BaseAddress = _front.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        for (var i = 0; i < 9; i++)
        {
            using var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            answeredBy.Add(string.Join(",", response.Headers.GetValues(NginxFront.UpstreamHeader)));
        }

        Assert.That(answeredBy, Is.EquivalentTo(_instances.Select(i => $"127.0.0.1:{i.Port}")), "round robin reaches every instance");
    }

    [Test]
    public async Task ASession_FromOneInstance_RefreshesTheCodeOnEveryOther()
    {
        // Logged in and declared on the first instance only.
        var resident = await _instances[0].NewResidentAsync();

        foreach (var instance in _instances.Skip(1))
        {
            var text = await instance.Client.GetQrTextAsync(resident.SessionToken);
            Assert.That(text, Does.StartWith("HC1:"), $"the instance on {instance.Port} honours a session made on another");
        }

        for (var i = 0; i < 6; i++)
        {
            Assert.That(await _client.GetQrTextAsync(resident.SessionToken), Does.StartWith("HC1:"), "refreshes through the front");
        }
    }

    /// <summary>The one-time code is sent by one instance and checked by another: they share it through Redis.</summary>
    [Test]
    public async Task ALogIn_ThroughTheFront_SpansTwoInstances()
    {
        using var http = new HttpClient { BaseAddress = _front.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var phone = ResidentPage.NewPhone();
        using var otp = await http.PostAsync(new Uri("/api/v1/auth/otp", UriKind.Relative), Json(new JsonObject { ["phone"] = phone }));
        var sent = JsonNode.Parse(await otp.Content.ReadAsStringAsync())!;
        Assert.That(otp.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), sent.ToJsonString());
        using var login = await http.PostAsync(
            new Uri("/api/v1/auth/login", UriKind.Relative), Json(new JsonObject { ["phone"] = phone, ["code"] = (string?)sent["devCode"] }));
        var answer = await login.Content.ReadAsStringAsync();

        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.OK), answer);
        Assert.That(
            login.Headers.GetValues(NginxFront.UpstreamHeader).Single(),
            Is.Not.EqualTo(otp.Headers.GetValues(NginxFront.UpstreamHeader).Single()),
            "round robin sent the log-in to another instance than the one that sent the code");
    }

    /// <summary>
    /// The instances share the keys folder. A key rotated out and revoked through one instance is refused by every
    /// other (each reads the folder again within seconds), every instance signs new codes with the new key, and no
    /// instance signs the revoked key back into the province's trust list with keys it read before.
    /// </summary>
    [Test]
    public async Task AKeyRevokedThroughOneInstance_IsRefusedByEvery_AndNeverSignedBackIntoTheList()
    {
        var resident = await _instances[1].NewResidentAsync();
        var staff = await _client.EnrolStaffAsync("three-gate-keys");
        var compromised = ServiceAnswers.KidOf(resident.Qr);
        var through = _instances[0].Client;
        await through.OperatorAsync(HttpMethod.Post, "/api/v1/admin/keys/rotate", null, HttpStatusCode.OK);
        var revoked = (await through.OperatorAsync(
            HttpMethod.Post, $"/api/v1/admin/keys/{compromised}/revoke", new { reason = "test: private key leaked" }, HttpStatusCode.OK))!;
        var seq = revoked["trustListSeq"]!.GetValue<long>();

        foreach (var instance in _instances)
        {
            await instance.WaitForVerdictAsync(
                staff, resident.Qr, v => ServiceAnswers.ErrorCode(v) == "key_revoked", TimeSpan.FromSeconds(20), $"key_revoked at the instance on {instance.Port}");
            var fresh = await instance.Client.GetQrTextAsync(resident.SessionToken);
            Assert.That(ServiceAnswers.KidOf(fresh), Is.Not.EqualTo(compromised), $"the instance on {instance.Port} signs with the new key");
        }

        // Each instance's list job looks again every 2 s: after a few looks the list still says revoked, at the same seq.
        await Task.Delay(TimeSpan.FromSeconds(5));
        foreach (var instance in _instances)
        {
            var (status, body) = await instance.Client.GetTextAsync("/.well-known/healthcode/trust-list");
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
            var payload = JsonNode.Parse(Base64Url.DecodeFromChars(body.Trim().Split('.')[1]))!;
            Assert.That((long)payload["seq"]!, Is.EqualTo(seq), $"the list as the instance on {instance.Port} serves it: no instance signed it again");
            var key = payload["keys"]!["keys"]!.AsArray().Single(k => (string?)k!["kid"] == compromised)!;
            Assert.That((string?)key["status"], Is.EqualTo("revoked"), payload.ToJsonString());
        }
    }

    [Test]
    public async Task Scans_OnEveryInstance_MakeOneValidAuditChain()
    {
        var before = await ChainAsync("/api/v1/admin/audit/verify");
        var resident = await _instances[1].NewResidentAsync();
        var staff = await _client.EnrolStaffAsync("three-gate-1");
        const int Scans = 30;
        for (var i = 0; i < Scans; i++)
        {
            var verdict = await _client.VerifyAsync(staff, resident.Qr);
            Assert.That((string?)verdict["color"], Is.EqualTo("green"), verdict.ToJsonString());
        }

        // On PostgreSQL each instance answers a scan once it is in its own spool, and ships its spool into the chain when
        // asked to check it (else within its ship interval): every instance asked once first, so each check below sees all.
        foreach (var instance in _instances)
        {
            await instance.Client.OperatorAsync(HttpMethod.Get, "/api/v1/admin/audit/verify", null, HttpStatusCode.OK);
        }

        foreach (var instance in _instances)
        {
            var report = (await instance.Client.OperatorAsync(HttpMethod.Get, "/api/v1/admin/audit/verify", null, HttpStatusCode.OK))!;
            Assert.That((bool?)report["valid"], Is.True, $"the audit chain as the instance on {instance.Port} checks it: {report.ToJsonString()}");
            Assert.That((long)report["checked"]!, Is.GreaterThanOrEqualTo((long)before["checked"]! + Scans), report.ToJsonString());
        }
    }

    [Test]
    public async Task Declarations_OnEveryInstance_MakeOneValidDataUseChain()
    {
        // A person's identity check and scoring each record a use; the three instances append to one chain.
        string idNumber = "";
        for (var i = 0; i < 6; i++)
        {
            // Logged in and declared through the front, on whichever instances it picks.
            var phone = ResidentPage.NewPhone();
            idNumber = IdNumbers.NewValid();
            var token = await _client.LogInResidentAsync(phone);
            await _client.DeclareAsync(token, phone, "李四", idNumber);
        }

        var staff = await _client.EnrolStaffAsync("three-gate-2");
        for (var i = 0; i < 6; i++)
        {
            // Lookups by ID card are uses of the person's data, from whichever instance the front picks.
            await _client.LookupAsync(staff, idNumber, "李四");
        }

        foreach (var instance in _instances)
        {
            var report = (await instance.Client.OperatorAsync(HttpMethod.Get, "/api/v1/admin/data-use/verify", null, HttpStatusCode.OK))!;
            Assert.That((bool?)report["valid"], Is.True, $"the data-use chain as the instance on {instance.Port} checks it: {report.ToJsonString()}");
        }
    }

    [Test]
    public async Task ABatch_ThroughTheFront_AppliesOnce_AndItsUseIsRecordedOnce()
    {
        var resident = await _instances[2].NewResidentAsync();
        var batchId = $"three-{Guid.NewGuid():N}"[..24];

        await _departments.UploadAsync(AccountabilityClient.CloseContact(resident.IdNumber, Resident.Name), batchId);

        var status = await _departments.BatchStatusAsync(batchId);
        Assert.That((string?)status["status"], Is.EqualTo("applied"), status.ToJsonString());
        Assert.That((long)status["applied"]!, Is.EqualTo(1), status.ToJsonString());
        await AssertRedThroughEveryInstanceAsync(resident);
        Assert.That(await ScoringUsesAsync(resident, batchId), Is.EqualTo(1), "one scoring of the person for this batch, on one instance");
        await AssertChainsValidAsync();
    }

    /// <summary>
    /// DESIGN §9 and issue 13: an instance killed in the middle of a batch. The batch was received by one instance and
    /// is applied by it; killed (SIGKILL) while applying, it takes the batch up again when it comes back (or another
    /// instance does, should the claim lapse first: 6 s here), and the batch applies once, whole: every row, one scoring
    /// use, both chains valid. The other instances go on answering meanwhile.
    /// </summary>
    [Test]
    public async Task AnInstanceKilledMidBatch_TheBatchAppliesOnceWhole_WhenItReturns()
    {
        var resident = await _instances[2].NewResidentAsync();
        var applier = _instances[0];
        var batchId = $"kill-{Guid.NewGuid():N}"[..24];
        var status = await UploadLargeBatchUntilApplyingAsync(resident, applier, batchId);
        Assert.That((string?)status["status"], Is.EqualTo("applying"), $"the batch must be killed part-way, not after: {status.ToJsonString()}");
        Assert.That((long)status["applied"]!, Is.LessThan(Rows), status.ToJsonString());

        await applier.StopAsync();
        // While it is down, the others still answer through the front, and the batch still reads applying.
        Assert.That(await _client.GetQrTextAsync(resident.SessionToken), Does.StartWith("HC1:"));
        var meanwhile = await _departments.BatchStatusAsync(batchId, _instances[1].BaseAddress);
        Assert.That((string?)meanwhile["status"], Is.EqualTo("applying"), meanwhile.ToJsonString());

        await applier.StartAsync(TestContext.CurrentContext.CancellationToken);
        await Poll.UntilAsync(
            async () => (string?)(status = await _departments.BatchStatusAsync(batchId))["status"] != "applying",
            BatchTimeout,
            "the batch is applied after the instance returns");

        Assert.That((string?)status["status"], Is.EqualTo("applied"), status.ToJsonString());
        Assert.That((long)status["applied"]!, Is.EqualTo(Rows), $"every row once: {status.ToJsonString()}");
        await AssertRedThroughEveryInstanceAsync(resident);
        Assert.That(await ScoringUsesAsync(resident, batchId), Is.EqualTo(1), "the resumed batch scored the person once");
        await AssertChainsValidAsync();
    }

    /// <summary>
    /// DESIGN §9 and issue 13: an instance gone for good in the middle of a batch, as a pod is when it is rescheduled:
    /// killed, and its data folder with the received file lost. Once its claim lapses, another instance takes the
    /// batch up from the store's encrypted copy of the body, checks it against the signed SHA-256, and applies it
    /// once, whole: every row, one scoring use, both chains valid.
    /// </summary>
    [Test]
    public async Task AnInstanceGoneForGoodMidBatch_AnotherTakesTheBatchUp_FromTheStoresCopy()
    {
        var resident = await _instances[2].NewResidentAsync();
        var gone = _instances[1];
        var batchId = $"gone-{Guid.NewGuid():N}"[..24];
        var status = await UploadLargeBatchUntilApplyingAsync(resident, gone, batchId);
        Assert.That((string?)status["status"], Is.EqualTo("applying"), $"the instance must be gone part-way, not after: {status.ToJsonString()}");

        await gone.StopAsync();
        try
        {
            // Its data folder is lost with it: the received file is nowhere on this host any more.
            var files = Directory.GetFiles(_work, $"{batchId}.*", SearchOption.AllDirectories);
            Assert.That(files, Is.Not.Empty, "the instance kept the body as a file while it applied it");
            foreach (var file in files)
            {
                File.Delete(file);
            }

            await Poll.UntilAsync(
                async () => (string?)(status = await _departments.BatchStatusAsync(batchId, _instances[0].BaseAddress))["status"] != "applying",
                BatchTimeout,
                "another instance applies the batch once the gone instance's claim lapses");

            Assert.That((string?)status["status"], Is.EqualTo("applied"), status.ToJsonString());
            Assert.That((long)status["applied"]!, Is.EqualTo(Rows), $"every row once: {status.ToJsonString()}");
            Assert.That(_instances.Where(i => i != gone).Select(i => i.OutputTail()),
                Has.Some.Contains($"Batch {AccountabilityClient.Source}/{batchId} taken up from the store's copy of its body"));
            Assert.That(await ScoringUsesAsync(resident, batchId), Is.EqualTo(1), "the batch scored the person once");
        }
        finally
        {
            await gone.StartAsync(TestContext.CurrentContext.CancellationToken);
        }

        await AssertRedThroughEveryInstanceAsync(resident);
        await AssertChainsValidAsync();
    }

    /// <summary>
    /// Uploads a close-contact list of <see cref="Rows"/> naming <paramref name="resident"/> to <paramref name="instance"/>,
    /// and waits until it has begun applying it (or is done); the batch's status then.
    /// </summary>
    private async Task<JsonNode> UploadLargeBatchUntilApplyingAsync(Resident resident, ProvinceNode instance, string batchId)
    {
        await _departments.UploadWithoutWaitingAsync(LargeCloseContactList(resident, Rows), batchId, instance.BaseAddress);
        JsonNode status = null!;
        await Poll.UntilAsync(
            async () =>
            {
                status = await _departments.BatchStatusAsync(batchId, instance.BaseAddress);
                return (string?)status["status"] != "applying" || (long)status["applied"]! > 0;
            },
            WaitTimeout,
            "the batch starts applying");
        return status;
    }

    /// <summary>The resident as a close contact, among <paramref name="rows"/> − 1 others the province does not know.</summary>
    private static string LargeCloseContactList(Resident resident, int rows)
    {
        var one = AccountabilityClient.CloseContact(resident.IdNumber, Resident.Name);
        var lines = one.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var builder = new StringBuilder(rows * 80).Append(lines[0]).Append('\n').Append(lines[1]).Append('\n');
        var rest = lines[1][lines[1].IndexOf(',', lines[1].IndexOf(',', StringComparison.Ordinal) + 1)..];
        var numbers = new HashSet<string>(StringComparer.Ordinal) { resident.IdNumber };
        while (numbers.Count < rows)
        {
            // Another region than the residents' (110105): a later resident's number never names one of these people.
            var number = IdNumbers.NewValid("410105");
            if (numbers.Add(number))
            {
                builder.Append(number).Append(",王五").Append(rest).Append('\n');
            }
        }

        return builder.ToString();
    }

    private async Task AssertRedThroughEveryInstanceAsync(Resident resident)
    {
        foreach (var instance in _instances)
        {
            var code = await CodeAsync(instance.BaseAddress, resident.SessionToken);
            Assert.That((string?)code["color"], Is.EqualTo("red"), $"the instance on {instance.Port}: {code.ToJsonString()}");
        }
    }

    private async Task AssertChainsValidAsync()
    {
        foreach (var path in new[] { "/api/v1/admin/audit/verify", "/api/v1/admin/data-use/verify" })
        {
            var report = await ChainAsync(path);
            Assert.That((bool?)report["valid"], Is.True, $"{path}: {report.ToJsonString()}");
        }
    }

    private async Task<JsonNode> ChainAsync(string path) =>
        (await _client.OperatorAsync(HttpMethod.Get, path, null, HttpStatusCode.OK))!;

    /// <summary>The resident's own data-use entries that scored them from <paramref name="batchId"/>.</summary>
    private async Task<int> ScoringUsesAsync(Resident resident, string batchId)
    {
        using var http = new HttpClient { BaseAddress = _front.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me/data-use?limit=100");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", resident.SessionToken);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonNode.Parse(text)!["entries"]!.AsArray()
            .Count(e => (string?)e!["purpose"] == "scoring" && (string?)e["source"]?["batchId"] == batchId);
    }

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static async Task<JsonNode> CodeAsync(Uri at, string sessionToken)
    {
        using var http = new HttpClient { BaseAddress = at, Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me/code");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", sessionToken);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonNode.Parse(text)!;
    }

    private string OutputTails()
    {
        var tails = new StringBuilder();
        foreach (var instance in _instances)
        {
            tails.Append(CultureInfo.InvariantCulture, $"--- instance on {instance.Port}\n{instance.OutputTail()}\n");
        }

        tails.Append(CultureInfo.InvariantCulture, $"--- nginx\n{_front?.ErrorLog}\n");
        return tails.ToString();
    }
}

/// <summary>Stops the test run's PostgreSQL, if this namespace's tests started it, once they are done.</summary>
[SetUpFixture]
public sealed class ScaleRun
{
    [OneTimeTearDown]
    public void StopPostgres() => PostgresServer.StopShared();
}
