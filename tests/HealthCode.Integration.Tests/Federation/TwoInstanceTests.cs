using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Status;
using HealthCode.Trust.Verification;
using StackExchange.Redis;
using static HealthCode.Integration.Federation.ServiceAnswers;

namespace HealthCode.Integration.Federation;

/// <summary>
/// Two instances of one province (Zhejiang, 330000) behind one name, as a scaled-out deployment
/// runs them: the same keys folder, the same Redis and Redis key prefix, and the same store. The
/// store is shared because a province has one database: partners, staff, residents and the
/// published list's <c>seq</c> (compare-and-swap) are the province's, not an instance's, and
/// the service's partner change handler reads a partner registered on another instance from
/// it. In production that is one PostgreSQL; here it is one SQLite file in WAL mode, which two
/// processes on one host can share.
/// </summary>
/// <remarks>
/// The instances differ in one setting only, so that every fetch the follower makes is one the
/// test triggered: the fetcher refreshes partners every second, the follower every hour (its one
/// round runs at start-up, before any partner exists). Partners are faked in this process, so the
/// test sees each request for a list and can hold it.
/// </remarks>
[TestFixture]
public sealed class TwoInstanceTests
{
    private const string Province = "330000";

    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(20);

    private string _work = null!;
    private RedisServer _redis = null!;
    private ProvinceNode _fetcher = null!;
    private ProvinceNode _follower = null!;
    private ConnectionMultiplexer _redisClient = null!;

    [OneTimeSetUp]
    public async Task StartInstancesAsync()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        var clock = Stopwatch.StartNew();
        _work = Directory.CreateTempSubdirectory("healthcode-two-instances-").FullName;
        _redis = await RedisServer.StartAsync(ct);
        var shared = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Redis"] = _redis.Configuration,
            // The lease hook logs at Debug; shown for this category only.
            ["Logging__LogLevel__HealthCode.Api.Infrastructure.Federation.PartnerTrust"] = "Debug",
        };

        // The same work folder and province code: ProvinceNode gives both the same keys copy and the same data folder.
        _fetcher = ProvinceNode.Create(_work, Province, "浙江省", new Dictionary<string, string?>(shared)
        {
            ["HealthCode__Federation__RefreshInterval"] = "00:00:01",
        });
        _follower = ProvinceNode.Create(_work, Province, "浙江省", new Dictionary<string, string?>(shared)
        {
            ["HealthCode__Federation__RefreshInterval"] = "01:00:00",
        });
        Assert.That(_follower.DataDirectory, Is.EqualTo(_fetcher.DataDirectory));
        Assert.That(_follower.KeysPath, Is.EqualTo(_fetcher.KeysPath));

        try
        {
            // One after the other: each migrates the schema at start-up, and two processes migrating
            // one new SQLite file at the same moment would race on its user_version.
            await _fetcher.StartAsync(ct);
            await _follower.StartAsync(ct);
            _redisClient = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration);
        }
        catch
        {
            TestContext.Progress.WriteLine(OutputTails());
            throw;
        }

        TestContext.Progress.WriteLine($"Redis and two Zhejiang instances up in {clock.Elapsed.TotalSeconds:F1} s");
    }

    [OneTimeTearDown]
    public async Task StopInstancesAsync()
    {
        if (_redisClient is not null)
        {
            await _redisClient.DisposeAsync();
        }

        if (_fetcher is not null)
        {
            await _fetcher.DisposeAsync();
        }

        if (_follower is not null)
        {
            await _follower.DisposeAsync();
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

    /// <summary>
    /// The partner holds the fetcher's request, so the fetcher holds the lease for as long as the
    /// test wants; the follower's own fetch (registering the partner there fetches at once) finds
    /// the lease taken and skips. The follower still gets the list: through Redis, never by fetching.
    /// </summary>
    [Test]
    public async Task Lease_WhileOneInstanceFetchesAPartner_TheOtherSkips_AndGetsTheListThroughRedis()
    {
        await using var partner = new FakePartner("510000", "四川省");
        using var issuer = EcKey.Generate();
        partner.Serve(partner.SignList(1, [(issuer, KeyStatus.Active)]));
        partner.HoldLists();
        var skipped = $"Partner {partner.Issuer}: fetch skipped, the lease is held";
        try
        {
            await _fetcher.RegisterPartnerAsync(partner.Registration());
            await Poll.UntilAsync(() => partner.ListRequests > 0, WaitTimeout, "the fetcher's request reaches the partner");

            var lease = new RedisKey($"healthcode:{Province}:lease:fetch:{partner.Issuer}");
            var db = _redisClient.GetDatabase();
            var holder = await db.StringGetAsync(lease);
            var ttl = await db.KeyTimeToLiveAsync(lease);
            Assert.That(holder.HasValue, Is.True, $"the fetcher holds {lease} while its request is held");
            Assert.That(ttl, Is.Not.Null.And.GreaterThan(TimeSpan.Zero).And.LessThanOrEqualTo(TimeSpan.FromSeconds(30)), "the lease expires by itself if its holder dies");

            Assert.That(_follower.Output, Does.Not.Contain(skipped));
            await _follower.RegisterPartnerAsync(partner.Registration());
            await Poll.UntilAsync(() => _follower.Output.Contains(skipped, StringComparison.Ordinal), WaitTimeout, "the follower logs that it skipped its fetch");
            TestContext.Out.WriteLine($"Lease {lease} held by {holder} (TTL {ttl?.TotalSeconds:F1} s); list requests at the partner while held: {partner.ListRequests}");
        }
        finally
        {
            partner.ReleaseLists();
        }

        try
        {
            var atFetcher = await _fetcher.WaitForPartnerAsync(partner.Issuer, p => (string?)p["state"] == "ok" && SeqOf(p) == 1, WaitTimeout, "ok with seq 1");
            var atFollower = await _follower.WaitForPartnerAsync(partner.Issuer, p => (string?)p["state"] == "ok" && SeqOf(p) == 1, WaitTimeout, "ok with seq 1");
            TestContext.Out.WriteLine($"fetcher: {atFetcher.ToJsonString()}\nfollower: {atFollower.ToJsonString()}");
            Assert.Multiple(() =>
            {
                Assert.That(LastFetchAt(atFetcher), Is.Not.Null, "the fetcher fetched");
                Assert.That(LastFetchAt(atFollower), Is.Null, "the follower never fetched: it read the fetcher's list from Redis");
                Assert.That(ListReceivedAt(atFollower), Is.Not.Null, "the follower says when the list reached it");
            });
        }
        finally
        {
            await _fetcher.RemovePartnerAsync(partner.Issuer);
        }
    }

    /// <summary>
    /// The partner rotates its issuer key; the fetcher's next refresh gets the new list, stores it
    /// in Redis and publishes the change; the follower, which never fetches this partner, reloads
    /// and re-verifies it and accepts codes signed with the new key.
    /// </summary>
    [Test]
    public async Task PubSub_AfterAPartnerRotatesItsKey_TheInstanceThatDidNotFetch_VerifiesNewKeyCodes()
    {
        await using var partner = new FakePartner("520000", "贵州省");
        using var key1 = EcKey.Generate();
        using var key2 = EcKey.Generate();
        partner.Serve(partner.SignList(1, [(key1, KeyStatus.Active)]));
        var staff = await _follower.EnrolStaffAsync();
        await _fetcher.RegisterPartnerAsync(partner.Registration());
        try
        {
            var list1 = await _follower.WaitForPartnerAsync(partner.Issuer, p => (string?)p["state"] == "ok" && SeqOf(p) == 1, WaitTimeout, "ok with seq 1 (through Redis)");
            var oldKeyCode = partner.SignCode(key1);
            var newKeyCode = partner.SignCode(key2);
            var beforeRotation = await _follower.Client.VerifyAsync(staff, newKeyCode);
            Assert.That(ErrorCode(beforeRotation), Is.EqualTo("unknown_key"), $"key 2 is not in list 1: {beforeRotation.ToJsonString()}");

            var clock = Stopwatch.StartNew();
            partner.Serve(partner.SignList(2, [(key1, KeyStatus.Retired), (key2, KeyStatus.Active)]));
            var afterRotation = await _follower.WaitForVerdictAsync(staff, newKeyCode, IsValid, WaitTimeout, "valid (key 2, list 2)");
            TestContext.Out.WriteLine($"The follower verified a key-2 code {clock.Elapsed.TotalMilliseconds:F0} ms after the partner served list 2");

            var atFetcher = await _fetcher.PartnerAsync(partner.Issuer);
            var atFollower = await _follower.PartnerAsync(partner.Issuer);
            var retired = await _follower.Client.VerifyAsync(staff, oldKeyCode);
            TestContext.Out.WriteLine($"fetcher: {atFetcher?.ToJsonString()}\nfollower: {atFollower?.ToJsonString()}");
            Assert.Multiple(() =>
            {
                Assert.That((string?)afterRotation["issuerName"], Is.EqualTo(partner.Name));
                Assert.That(SeqOf(atFollower!), Is.EqualTo(2));
                Assert.That(LastFetchAt(atFollower!), Is.Null, "the follower never fetched: list 2 reached it through Redis pub/sub");
                Assert.That(ListReceivedAt(atFollower!), Is.GreaterThan(ListReceivedAt(list1)!.Value), "list 2's arrival shows at the follower");
                Assert.That(SeqOf(atFetcher!), Is.EqualTo(2));
                Assert.That(LastFetchAt(atFetcher!), Is.Not.Null);
                Assert.That(IsValid(retired), Is.True, $"a retired key's code still verifies at the follower: {retired.ToJsonString()}");
            });
        }
        finally
        {
            await _fetcher.RemovePartnerAsync(partner.Issuer);
        }
    }

    /// <summary>
    /// A resident declares again on one instance and the code turns red: the token they showed
    /// before is superseded at every instance, not only at the one that took the declaration.
    /// </summary>
    [Test]
    public async Task A_code_changed_on_one_instance_is_revoked_at_the_other()
    {
        var resident = await _fetcher.NewResidentAsync();
        var staff = await _follower.EnrolStaffAsync();
        Assert.That(IsValid(await _follower.Client.VerifyAsync(staff, resident.Qr)), Is.True, "the green token first verifies at the follower");

        var changed = await resident.DeclareAgainAsync(confirmedCaseContact: true);
        Assert.That((string?)changed["color"], Is.EqualTo("red"));

        var clock = Stopwatch.StartNew();
        var superseded = await _follower.WaitForVerdictAsync(
            staff, resident.Qr, v => ErrorCode(v) == "code_revoked", WaitTimeout, "code_revoked (status version from the other instance)");
        TestContext.Out.WriteLine($"The follower refused the superseded token {clock.Elapsed.TotalMilliseconds:F0} ms after the declaration");
        var fresh = await _follower.Client.VerifyAsync(staff, await resident.FreshQrAsync());
        Assert.Multiple(() =>
        {
            Assert.That(ErrorCode(superseded), Is.EqualTo("code_revoked"));
            Assert.That(IsValid(fresh), Is.True, fresh.ToJsonString());
            Assert.That((string?)fresh["color"], Is.EqualTo("red"));
        });
    }

    /// <summary>
    /// Redis is down while a resident's code changes on one instance: the declaration goes through
    /// at once, and once Redis is back the other instance refuses the superseded token too.
    /// </summary>
    [Test]
    public async Task A_code_changed_while_Redis_is_down_is_revoked_at_the_other_instance_once_it_is_back()
    {
        var resident = await _fetcher.NewResidentAsync();
        var staff = await _follower.EnrolStaffAsync();
        Assert.That(IsValid(await _follower.Client.VerifyAsync(staff, resident.Qr)), Is.True, "the green token first verifies at the follower");

        await _redis.StopAsync();
        var declaring = Stopwatch.StartNew();
        try
        {
            var changed = await resident.DeclareAgainAsync(confirmedCaseContact: true);
            Assert.That((string?)changed["color"], Is.EqualTo("red"));
            TestContext.Out.WriteLine($"Declaration with Redis down answered in {declaring.ElapsedMilliseconds} ms");
        }
        finally
        {
            await _redis.StartAgainAsync(TestContext.CurrentContext.CancellationToken);
        }

        var clock = Stopwatch.StartNew();
        var superseded = await _follower.WaitForVerdictAsync(
            staff, resident.Qr, v => ErrorCode(v) == "code_revoked", TimeSpan.FromSeconds(40), "code_revoked once Redis is back");
        TestContext.Out.WriteLine($"The follower refused the superseded token {clock.Elapsed.TotalSeconds:F1} s after Redis restarted");
        Assert.That(ErrorCode(superseded), Is.EqualTo("code_revoked"));
    }

    /// <summary>
    /// A partner's status request answered by one instance is a replay at the other: the nonces
    /// (jti) are shared through Redis, so capturing a request and sending it to another instance of
    /// the province reads nothing (FEDERATION-FORMAT §2.2).
    /// </summary>
    [Test]
    public async Task A_status_request_answered_by_one_instance_is_refused_as_a_replay_by_the_other()
    {
        await using var partner = new FakePartner("540000", "西藏自治区");
        using var issuer = EcKey.Generate();
        partner.Serve(partner.SignList(1, [(issuer, KeyStatus.Active)]));
        await _fetcher.RegisterPartnerAsync(partner.Registration());
        try
        {
            await _follower.WaitForPartnerAsync(partner.Issuer, p => (string?)p["state"] == "ok", WaitTimeout, "ok (through Redis)");
            var request = StatusRequestCodec.Sign(partner.Issuer, Province, "C0DE0001", DateTimeOffset.UtcNow, issuer);

            var (first, firstBody) = await AskStatusAsync(_fetcher, request);
            var (replay, replayBody) = await AskStatusAsync(_follower, request);

            Assert.Multiple(() =>
            {
                // Answered (the code id is simply not one of ours), so its nonce is now used.
                Assert.That(first, Is.EqualTo(HttpStatusCode.NotFound), firstBody);
                Assert.That(firstBody, Does.Contain("code_not_found"));
                Assert.That(replay, Is.EqualTo(HttpStatusCode.Unauthorized), replayBody);
                Assert.That((string?)JsonNode.Parse(replayBody)?["code"], Is.EqualTo("status_request_replayed"));
            });
        }
        finally
        {
            await _fetcher.RemovePartnerAsync(partner.Issuer);
        }
    }

    private static async Task<(HttpStatusCode Status, string Body)> AskStatusAsync(ProvinceNode instance, string jws)
    {
        using var http = new HttpClient { BaseAddress = instance.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        using var content = new StringContent(jws, Encoding.ASCII, "application/jose");
        using var response = await http.PostAsync(new Uri("/api/v1/partner/status", UriKind.Relative), content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private string OutputTails() =>
        $"--- Zhejiang, fetcher instance:\n{_fetcher?.OutputTail()}\n--- Zhejiang, follower instance:\n{_follower?.OutputTail()}";
}
