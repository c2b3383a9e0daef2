using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using HealthCode.Integration.Tests;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Tokens;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;
using StackExchange.Redis;
using static HealthCode.Integration.Federation.ServiceAnswers;

namespace HealthCode.Integration.Federation;

/// <summary>
/// Issue 4's federation, end to end, with real processes on 127.0.0.1: a hub and three provinces
/// (<see cref="FederationTopology"/>), one real redis-server, partners faked in this process where
/// a test needs a partner that misbehaves. Tests share the topology and make their own residents,
/// staff and fake partners; the one that must let a list expire starts its own two processes.
/// </summary>
/// <remarks>
/// Not under the HealthCode.Integration.Tests namespace on purpose: its [SetUpFixture] starts a
/// service and Chromium that these tests do not need.
/// </remarks>
[TestFixture]
public sealed class FederationTests
{
    private static readonly TimeSpan PropagationTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A scan that takes longer than this is hanging on something it should not wait for (not a benchmark).</summary>
    private static readonly TimeSpan HangDetector = TimeSpan.FromSeconds(2);

    private FederationTopology _topology = null!;

    private ProvinceNode Henan => _topology.Henan;

    private ProvinceNode Zhejiang => _topology.Zhejiang;

    private ProvinceNode Guangdong => _topology.Guangdong;

    [OneTimeSetUp]
    public async Task StartFederationAsync()
    {
        var clock = Stopwatch.StartNew();
        _topology = await FederationTopology.StartAsync(TestContext.CurrentContext.CancellationToken);
        TestContext.Progress.WriteLine($"Federation (Redis, hub, 3 provinces) up and converged in {clock.Elapsed.TotalSeconds:F1} s");
    }

    [OneTimeTearDown]
    public async Task StopFederationAsync()
    {
        if (_topology is not null)
        {
            await _topology.DisposeAsync();
        }
    }

    [TearDown]
    public void ReportProcessOutputOnFailure() => FederationTopology.ReportOnFailure(() => _topology?.OutputTails() ?? "");

    [Test]
    public async Task HenanCode_Verifies_AtZhejiangBilaterally_AndAtGuangdongThroughHub()
    {
        var resident = await Henan.NewResidentAsync();

        var atZhejiang = await Zhejiang.Client.VerifyAsync(await Zhejiang.EnrolStaffAsync(), resident.Qr);
        var atGuangdong = await Guangdong.Client.VerifyAsync(await Guangdong.EnrolStaffAsync(), resident.Qr);

        foreach (var verdict in new[] { atZhejiang, atGuangdong })
        {
            Assert.Multiple(() =>
            {
                Assert.That(IsValid(verdict), Is.True, verdict.ToJsonString());
                Assert.That((string?)verdict["color"], Is.EqualTo("green"));
                Assert.That((string?)verdict["issuer"], Is.EqualTo("410000"));
                Assert.That((string?)verdict["issuerName"], Is.EqualTo("河南省"));
                Assert.That((string?)verdict["source"], Is.EqualTo("partner"));
            });
        }

        // How each of them trusts Henan: Zhejiang by its pinned root, Guangdong only through the hub.
        Assert.That((string?)(await Zhejiang.PartnerAsync("410000"))!["source"], Is.EqualTo("bilateral"));
        Assert.That((string?)(await Guangdong.PartnerAsync("410000"))!["source"], Is.EqualTo("hub"));
    }

    [Test]
    public async Task KeyRotation_AtHenan_ReachesPartners_AndRetiredKeyCodesStillVerify()
    {
        var resident = await Henan.NewResidentAsync();
        var zhejiangStaff = await Zhejiang.EnrolStaffAsync();
        var guangdongStaff = await Guangdong.EnrolStaffAsync();
        var oldKid = KidOf(resident.Qr);

        var rotated = (await Henan.Client.OperatorAsync(HttpMethod.Post, "/api/v1/admin/keys/rotate", null, HttpStatusCode.OK))!;
        var newKid = (string?)rotated["keys"]!.AsArray().Single(k => (string?)k!["status"] == "active")!["kid"];
        Assert.That((string?)rotated["keys"]!.AsArray().Single(k => (string?)k!["kid"] == oldKid)!["status"], Is.EqualTo("retired"));
        var newQr = await resident.FreshQrAsync();
        Assert.That(KidOf(newQr), Is.EqualTo(newKid).And.Not.EqualTo(oldKid), "the fresh code must be signed with the new key");

        var clock = Stopwatch.StartNew();
        await Zhejiang.WaitForVerdictAsync(zhejiangStaff, newQr, IsValid, PropagationTimeout, "valid (new key)");
        await Guangdong.WaitForVerdictAsync(guangdongStaff, newQr, IsValid, PropagationTimeout, "valid (new key)");
        TestContext.Progress.WriteLine($"Rotation reached Zhejiang and Guangdong in {clock.Elapsed.TotalSeconds:F1} s");

        var seq = rotated["trustListSeq"]!.GetValue<long>();
        Assert.That((await Zhejiang.PartnerAsync("410000"))!["seq"]!.GetValue<long>(), Is.GreaterThanOrEqualTo(seq));
        Assert.That(IsValid(await Zhejiang.Client.VerifyAsync(zhejiangStaff, resident.Qr)), Is.True, "a retired key's code still verifies at Zhejiang");
        Assert.That(IsValid(await Guangdong.Client.VerifyAsync(guangdongStaff, resident.Qr)), Is.True, "a retired key's code still verifies at Guangdong");
    }

    [Test]
    public async Task RevokedHenanKey_CodesFailWithKeyRevoked_AtPartners()
    {
        var resident = await Henan.NewResidentAsync();
        var compromisedQr = resident.Qr;
        var compromisedKid = KidOf(compromisedQr);
        var zhejiangStaff = await Zhejiang.EnrolStaffAsync();
        var guangdongStaff = await Guangdong.EnrolStaffAsync();
        Assert.That(IsValid(await Guangdong.Client.VerifyAsync(guangdongStaff, compromisedQr)), Is.True, "valid before the revocation");

        // The active key cannot be revoked: a province must always have a key to issue codes with.
        var refused = (await Henan.Client.OperatorAsync(
            HttpMethod.Post, $"/api/v1/admin/keys/{compromisedKid}/revoke", new { reason = "test: leaked" }, HttpStatusCode.Conflict))!;
        Assert.That((string?)refused["code"], Is.EqualTo("key_active"));

        await Henan.Client.OperatorAsync(HttpMethod.Post, "/api/v1/admin/keys/rotate", null, HttpStatusCode.OK);
        var revoked = (await Henan.Client.OperatorAsync(
            HttpMethod.Post, $"/api/v1/admin/keys/{compromisedKid}/revoke", new { reason = "test: private key leaked" }, HttpStatusCode.OK))!;
        Assert.That((string?)revoked["keys"]!.AsArray().Single(k => (string?)k!["kid"] == compromisedKid)!["status"], Is.EqualTo("revoked"));

        var clock = Stopwatch.StartNew();
        await Zhejiang.WaitForVerdictAsync(zhejiangStaff, compromisedQr, v => ErrorCode(v) == "key_revoked", PropagationTimeout, "key_revoked");
        var atGuangdong = await Guangdong.WaitForVerdictAsync(guangdongStaff, compromisedQr, v => ErrorCode(v) == "key_revoked", PropagationTimeout, "key_revoked");
        TestContext.Progress.WriteLine($"Revocation reached Zhejiang and Guangdong in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.That(IsValid(atGuangdong), Is.False);

        // The resident's next code, signed with the new key, is fine everywhere.
        var freshQr = await resident.FreshQrAsync();
        await Zhejiang.WaitForVerdictAsync(zhejiangStaff, freshQr, IsValid, PropagationTimeout, "valid (new key)");
        await Guangdong.WaitForVerdictAsync(guangdongStaff, freshQr, IsValid, PropagationTimeout, "valid (new key)");
    }

    [Test]
    public async Task TamperedRedisEntry_IsRejected_AndTheGoodListKeepsVerifying()
    {
        var qr = (await Henan.NewResidentAsync()).Qr;
        var staff = await Zhejiang.EnrolStaffAsync();
        await Zhejiang.WaitForVerdictAsync(staff, qr, IsValid, PropagationTimeout, "valid");
        var heldSeq = (await Zhejiang.PartnerAsync("410000"))!["seq"]!.GetValue<long>();

        await using var redis = await ConnectionMultiplexer.ConnectAsync(_topology.Redis.Configuration);
        var db = redis.GetDatabase();
        var entry = new RedisKey("healthcode:330000:list:trust-list:410000");
        var channel = RedisChannel.Literal("healthcode:330000:trust-list-changed");
        string? genuine = await db.HashGetAsync(entry, "jws");
        Assert.That(genuine, Is.Not.Null.And.Not.Empty, $"Zhejiang keeps Henan's list in Redis at {entry}");

        // Two forgeries that would revoke every Henan key if they were believed: a list with a higher
        // seq signed by another province's real root (Guangdong's), and the genuine list with its
        // payload edited ("active" → "revoked") under the original signature.
        using var wrongRoot = EcKey.Load(Path.Combine(Guangdong.KeysPath, "root.private.jwk"));
        var henanKeys = HenanIssuerPublicKeys();
        var now = DateTimeOffset.UtcNow;
        var resigned = TrustListCodec.Sign(
            new TrustList("410000", "河南省", heldSeq + 100, now, now.AddDays(1), [.. henanKeys.Select(k => new TrustListKey(k, KeyStatus.Revoked, null, null))]),
            wrongRoot);
        var edited = EditPayload(genuine!, "\"active\"", "\"revoked\"");

        try
        {
            foreach (var (what, forged) in new[] { ("re-signed by Guangdong's root", resigned), ("payload edited", edited) })
            {
                var rejectionsBefore = Count(Zhejiang.Output, "cached trust list rejected");
                await db.HashSetAsync(entry, "jws", forged);
                var receivers = await redis.GetSubscriber().PublishAsync(channel, "410000");
                Assert.That(receivers, Is.GreaterThan(0), "some instance listens on the change channel");

                await Poll.UntilAsync(
                    () => Task.FromResult(Count(Zhejiang.Output, "cached trust list rejected") > rejectionsBefore),
                    TimeSpan.FromSeconds(10),
                    $"Zhejiang logs that it rejected the tampered entry ({what})");
                var verdict = await Zhejiang.Client.VerifyAsync(staff, qr);
                Assert.That(IsValid(verdict), Is.True, $"{what}: the good list is still the one used: {verdict.ToJsonString()}");
                Assert.That((await Zhejiang.PartnerAsync("410000"))!["seq"]!.GetValue<long>(), Is.EqualTo(heldSeq), $"{what}: the held seq did not move");
            }

            Assert.That(Zhejiang.Output, Does.Contain("cached trust list rejected (bad_signature)"));
        }
        finally
        {
            await db.HashSetAsync(entry, "jws", genuine);
            henanKeys.ForEach(k => k.Dispose());
        }
    }

    [Test]
    public Task RolledBackPartnerList_IsRejected_AndTheNewerListIsKept() =>
        // An older list (seq 4) that would revoke issuer 1 and trust issuer 2: a replay of a stale list.
        BadPartnerList_IsRejected_AndTheGoodListIsKeptAsync(
            "510000", "四川省", (partner, issuer1, issuer2) => partner.SignList(4, [(issuer1, KeyStatus.Revoked), (issuer2, KeyStatus.Active)]), "rollback");

    [Test]
    public async Task PartnerListSignedByWrongRoot_IsRejected_AndTheGoodListIsKept()
    {
        // A newer-looking list from someone who does not hold the pinned root.
        using var impostorRoot = EcKey.Generate();
        await BadPartnerList_IsRejected_AndTheGoodListIsKeptAsync(
            "520000", "贵州省", (partner, issuer1, issuer2) => partner.SignList(6, [(issuer1, KeyStatus.Revoked), (issuer2, KeyStatus.Active)], impostorRoot), "bad_signature");
    }

    /// <summary>
    /// A partner serves a good list (seq 5, issuer 1 active), then <paramref name="badList"/>, which would
    /// revoke issuer 1 and trust issuer 2: it is rejected with <paramref name="error"/>, the good list is
    /// kept, issuer 1's codes still verify and issuer 2's are unknown.
    /// </summary>
    private async Task BadPartnerList_IsRejected_AndTheGoodListIsKeptAsync(
        string code, string name, Func<FakePartner, EcKey, EcKey, string> badList, string error)
    {
        await using var partner = new FakePartner(code, name);
        using var issuer1 = EcKey.Generate();
        using var issuer2 = EcKey.Generate();
        partner.Serve(partner.SignList(5, [(issuer1, KeyStatus.Active)]));
        var staff = await Zhejiang.EnrolStaffAsync();
        await Zhejiang.RegisterPartnerAsync(partner.Registration());
        try
        {
            await Zhejiang.WaitForPartnerAsync(partner.Issuer, p => (string?)p["state"] == "ok" && SeqOf(p) == 5, PropagationTimeout, "ok with seq 5");
            var code1 = partner.SignCode(issuer1);
            var before = await Zhejiang.Client.VerifyAsync(staff, code1);
            Assert.That(IsValid(before), Is.True, before.ToJsonString());
            Assert.That((string?)before["issuerName"], Is.EqualTo(name));

            partner.Serve(badList(partner, issuer1, issuer2));
            var status = await Zhejiang.WaitForPartnerAsync(
                partner.Issuer, p => ((string?)p["lastError"])?.Contains(error, StringComparison.Ordinal) == true, PropagationTimeout, $"failing with {error}");

            var stillValid = await Zhejiang.Client.VerifyAsync(staff, code1);
            var onlyInBadList = await Zhejiang.Client.VerifyAsync(staff, partner.SignCode(issuer2));
            Assert.Multiple(() =>
            {
                Assert.That((string?)status["state"], Is.EqualTo("failing"));
                Assert.That(SeqOf(status), Is.EqualTo(5), "the good list is kept");
                Assert.That(IsValid(stillValid), Is.True, $"issuer 1 is not revoked by the rejected list: {stillValid.ToJsonString()}");
                Assert.That(ErrorCode(onlyInBadList), Is.EqualTo("unknown_key"), $"issuer 2 appears only in the rejected list: {onlyInBadList.ToJsonString()}");
            });
        }
        finally
        {
            await Zhejiang.RemovePartnerAsync(partner.Issuer);
        }
    }

    [Test]
    public async Task HangingAndGarbagePartners_OpenTheirCircuits_WhileOtherScansStayFast()
    {
        await using var hanging = new FakePartner("530000", "云南省");
        await using var garbage = new FakePartner("540000", "西藏自治区");
        hanging.Hang();
        garbage.AnswerGarbage();
        var qr = (await Henan.NewResidentAsync()).Qr;
        var staff = await Zhejiang.EnrolStaffAsync();
        await Zhejiang.WaitForVerdictAsync(staff, qr, IsValid, PropagationTimeout, "valid");

        using var stopScanning = new CancellationTokenSource();
        var scans = ScanContinuouslyAsync(Zhejiang, staff, qr, stopScanning.Token);
        try
        {
            // Registration fetches at once: these calls wait for the resilience pipeline to give up.
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Zhejiang.RegisterPartnerAsync(hanging.Registration()), Zhejiang.RegisterPartnerAsync(garbage.Registration()));
            TestContext.Progress.WriteLine($"Registering a hanging and a garbage partner took {clock.Elapsed.TotalSeconds:F1} s");

            var opened = TimeSpan.FromSeconds(45);
            var hangingStatus = await Zhejiang.WaitForPartnerAsync(
                hanging.Issuer, p => ((string?)p["lastError"])?.Contains("circuit open", StringComparison.Ordinal) == true, opened, "failing with an open circuit");
            var garbageStatus = await Zhejiang.WaitForPartnerAsync(
                garbage.Issuer, p => ((string?)p["lastError"])?.Contains("circuit open", StringComparison.Ordinal) == true, opened, "failing with an open circuit");
            Assert.That((string?)hangingStatus["state"], Is.EqualTo("failing"));
            Assert.That((string?)garbageStatus["state"], Is.EqualTo("failing"));

            // With the circuits open, requests stop reaching them, and Henan's list is still refreshed.
            var henanSuccess = (await Zhejiang.PartnerAsync("410000"))!["lastSuccessAt"]!.GetValue<DateTimeOffset>();
            var hangingRequests = hanging.ListRequests;
            await Zhejiang.WaitForPartnerAsync(
                "410000", p => p["lastSuccessAt"]!.GetValue<DateTimeOffset>() > henanSuccess && (string?)p["state"] == "ok", TimeSpan.FromSeconds(20),
                "refreshed again while the other partners' circuits are open");
            TestContext.Progress.WriteLine($"Requests to the hanging partner: {hangingRequests} when its circuit opened, {hanging.ListRequests} a refresh later");
        }
        finally
        {
            await stopScanning.CancelAsync();
            await Zhejiang.RemovePartnerAsync(hanging.Issuer);
            await Zhejiang.RemovePartnerAsync(garbage.Issuer);
        }

        var results = await scans;
        TestContext.Progress.WriteLine($"{results.Count} scans meanwhile; slowest {results.Max(r => r.Elapsed).TotalMilliseconds:F0} ms");
        Assert.That(results, Has.Count.GreaterThan(10));
        Assert.That(results.Where(r => !r.Valid), Is.Empty, "every scan of a Henan code stayed valid");
        Assert.That(results.Max(r => r.Elapsed), Is.LessThan(HangDetector), "no scan waited on the hanging partner");
    }

    [Test]
    public async Task RedisKilledMidRun_LosesNoScan_ReadyzDegradedThenHealthy()
    {
        var qr = (await Henan.NewResidentAsync()).Qr;
        var staff = await Zhejiang.EnrolStaffAsync();
        await Zhejiang.WaitForVerdictAsync(staff, qr, IsValid, PropagationTimeout, "valid");
        await WaitForReadyzAsync(Zhejiang, "healthy", TimeSpan.FromSeconds(20));

        const int Scans = 200;
        var verdicts = new List<(bool Valid, TimeSpan Elapsed, bool RedisDown, string Body)>();
        var redisDown = false;
        string? degradedReadyz = null;
        var chaos = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            await _topology.Redis.StopAsync();
            Volatile.Write(ref redisDown, true);
            degradedReadyz = await WaitForReadyzAsync(Zhejiang, "degraded", TimeSpan.FromSeconds(10));
            await Task.Delay(TimeSpan.FromSeconds(3));
            Volatile.Write(ref redisDown, false);
            await _topology.Redis.StartAgainAsync(CancellationToken.None);
        });

        for (var i = 0; i < Scans; i++)
        {
            var down = Volatile.Read(ref redisDown);
            var clock = Stopwatch.StartNew();
            var verdict = await Zhejiang.Client.VerifyAsync(staff, qr);
            verdicts.Add((IsValid(verdict), clock.Elapsed, down, verdict.ToJsonString()));
            await Task.Delay(40);
        }

        await chaos;
        var healthy = await WaitForReadyzAsync(Zhejiang, "healthy", TimeSpan.FromSeconds(30));

        TestContext.Progress.WriteLine(
            $"{verdicts.Count} scans, {verdicts.Count(v => v.RedisDown)} with Redis down; slowest {verdicts.Max(v => v.Elapsed).TotalMilliseconds:F0} ms");
        Assert.Multiple(() =>
        {
            Assert.That(verdicts.Where(v => !v.Valid).Select(v => v.Body), Is.Empty, "every scan answered valid");
            Assert.That(verdicts.Count(v => v.RedisDown), Is.GreaterThan(20), "scans ran while Redis was down");
            Assert.That(verdicts.Max(v => v.Elapsed), Is.LessThan(HangDetector));
            Assert.That(JsonNode.Parse(degradedReadyz!)!["checks"]!["sharedCache"]!.GetValue<string>(), Is.EqualTo("degraded"));
            Assert.That(JsonNode.Parse(healthy)!["checks"]!["sharedCache"]!.GetValue<string>(), Is.EqualTo("healthy"));
        });
    }

    /// <summary>
    /// Its own small federation (no hub, no Redis): a Henan whose lists live one minute (re-signed
    /// 30 s before exp) and a Zhejiang that recognises it bilaterally. Henan is killed; Zhejiang
    /// goes on with the last good list until that list's exp, then answers trust_list_stale.
    /// </summary>
    [Test]
    public async Task HenanStopped_PartnerKeepsVerifyingUntilListExpires_ThenTrustListStale()
    {
        var work = Directory.CreateTempSubdirectory("healthcode-stale-").FullName;
        var timings = new Dictionary<string, string?> { ["HealthCode__Federation__RefreshInterval"] = FederationTopology.RefreshInterval };
        await using var henan = ProvinceNode.Create(work, "410000", "河南省", new Dictionary<string, string?>(timings)
        {
            ["HealthCode__Federation__ListLifetime"] = "00:01:00",
            ["HealthCode__Federation__ResignBefore"] = "00:00:30",
        });
        await using var zhejiang = ProvinceNode.Create(work, "330000", "浙江省", new Dictionary<string, string?>(timings)
        {
            ["HealthCode__Federation__OnlineStatusCheck"] = "true",
        });
        try
        {
            var total = Stopwatch.StartNew();
            await Task.WhenAll(henan.StartAsync(CancellationToken.None), zhejiang.StartAsync(CancellationToken.None));
            await zhejiang.RegisterPartnerAsync(henan.Registration());
            await zhejiang.WaitForPartnerAsync("410000", FederationTopology.IsOk("bilateral"), PropagationTimeout, "ok");
            var qr = (await henan.NewResidentAsync()).Qr;
            var staff = await zhejiang.EnrolStaffAsync();
            Assert.That(IsValid(await zhejiang.Client.VerifyAsync(staff, qr)), Is.True);

            await henan.StopAsync();
            var stoppedAt = DateTimeOffset.UtcNow;

            var failing = await zhejiang.WaitForPartnerAsync(
                "410000", p => (string?)p["state"] == "failing", TimeSpan.FromSeconds(20), "failing (its fetches fail)");
            var whileDown = await zhejiang.Client.VerifyAsync(staff, qr);
            Assert.That(IsValid(whileDown), Is.True, $"the last good list is kept: {whileDown.ToJsonString()}");
            Assert.That((string?)whileDown["source"], Is.EqualTo("partner"));
            TestContext.Progress.WriteLine($"Henan down: partner status {failing.ToJsonString()}; verdict statusCheck={(string?)whileDown["statusCheck"]}");

            var expiresAt = failing["listExpiresAt"]!.GetValue<DateTimeOffset>();
            Assert.That(expiresAt - stoppedAt, Is.LessThan(TimeSpan.FromSeconds(65)), "ListLifetime=00:01:00 bounds how long the held list lives");

            // Until exp every scan is valid; from exp on, trust_list_stale (DESIGN §4.5).
            JsonObject? verdict = null;
            while (DateTimeOffset.UtcNow < expiresAt + TimeSpan.FromSeconds(15))
            {
                verdict = await zhejiang.Client.VerifyAsync(staff, qr);
                if (ErrorCode(verdict) == "trust_list_stale")
                {
                    break;
                }

                Assert.That(IsValid(verdict), Is.True, $"before the list expires ({expiresAt:O}) the code verifies: {verdict.ToJsonString()}");
                await Task.Delay(500);
            }

            var staleAt = DateTimeOffset.UtcNow;
            Assert.That(ErrorCode(verdict!), Is.EqualTo("trust_list_stale"), $"after {expiresAt:O}: {verdict?.ToJsonString()}");
            Assert.That(staleAt, Is.GreaterThanOrEqualTo(expiresAt - TimeSpan.FromSeconds(1)), "not stale before exp");

            var partner = await zhejiang.PartnerAsync("410000");
            var (_, readyz) = await zhejiang.Client.GetTextAsync("/readyz");
            var (_, metrics) = await zhejiang.Client.GetTextAsync("/metrics");
            var expiresIn = MetricValue(metrics, "healthcode_trust_list_expires_in_seconds{issuer=\"410000\"}");
            TestContext.Progress.WriteLine($"Stale {(staleAt - stoppedAt).TotalSeconds:F0} s after Henan stopped (test {total.Elapsed.TotalSeconds:F0} s); readyz {readyz}");
            Assert.Multiple(() =>
            {
                Assert.That((string?)partner!["state"], Is.EqualTo("stale"));
                Assert.That((string?)JsonNode.Parse(readyz)!["status"], Is.EqualTo("degraded"));
                Assert.That((string?)JsonNode.Parse(readyz)!["checks"]!["trustLists"], Is.EqualTo("degraded"));
                Assert.That(expiresIn, Is.LessThanOrEqualTo(0), "the metric shows the list expired");
            });
        }
        catch
        {
            TestContext.Out.WriteLine($"--- stale topology, Henan:\n{henan.OutputTail()}\n--- Zhejiang:\n{zhejiang.OutputTail()}");
            throw;
        }
        finally
        {
            await henan.StopAsync();
            await zhejiang.StopAsync();
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // Cleaned by the OS later.
            }
        }
    }

    /// <summary>The same compact JWS with a text replaced in its payload and the original signature kept.</summary>
    private static string EditPayload(string jws, string from, string to)
    {
        var parts = jws.Split('.');
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1]));
        Assert.That(payload, Does.Contain(from));
        parts[1] = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.Replace(from, to, StringComparison.Ordinal)));
        return string.Join('.', parts);
    }

    /// <summary>Henan's issuer public keys, as in its key folder now (rotations add files).</summary>
    private List<EcKey> HenanIssuerPublicKeys()
    {
        var keys = new List<EcKey>();
        foreach (var file in Directory.GetFiles(Henan.KeysPath, "issuer-*.jwk").Order(StringComparer.Ordinal))
        {
            using var loaded = EcKey.Load(file);
            if (keys.TrueForAll(k => k.Thumbprint != loaded.Thumbprint))
            {
                keys.Add(EcKey.FromJwk(loaded.ToPublicJwk()));
            }
        }

        Assert.That(keys, Is.Not.Empty);
        return keys;
    }

    private static int Count(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static double MetricValue(string metrics, string series)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        Assert.That(line, Is.Not.Null, $"/metrics has {series}:\n{metrics}");
        return double.Parse(line![(series.Length + 1)..].Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Polls <c>/readyz</c> until its status is <paramref name="status"/>; returns that body.</summary>
    private static async Task<string> WaitForReadyzAsync(ProvinceNode node, string status, TimeSpan timeout)
    {
        var last = "";
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            (_, last) = await node.Client.GetTextAsync("/readyz");
            if ((string?)JsonNode.Parse(last)?["status"] == status)
            {
                return last;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"{node.Name}: /readyz not {status} within {timeout.TotalSeconds} s; last: {last}");
        return last;
    }

    /// <summary>Verifies <paramref name="qr"/> every 100 ms until cancelled, timing each scan.</summary>
    private static async Task<List<(bool Valid, TimeSpan Elapsed)>> ScanContinuouslyAsync(ProvinceNode node, StaffMember staff, string qr, CancellationToken stop)
    {
        var results = new List<(bool Valid, TimeSpan Elapsed)>();
        while (!stop.IsCancellationRequested)
        {
            var clock = Stopwatch.StartNew();
            var verdict = await node.Client.VerifyAsync(staff, qr);
            results.Add((IsValid(verdict), clock.Elapsed));
            try
            {
                await Task.Delay(100, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return results;
    }
}
