using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Verification;
using static HealthCode.Integration.Federation.ServiceAnswers;

namespace HealthCode.Integration.Federation;

/// <summary>
/// Issue 13 item 4, the list-changed hint of DESIGN §11, with real processes on 127.0.0.1: the federation of
/// <see cref="FederationTopology"/> (a hub, three provinces, one redis-server) with the <b>default</b> refresh interval
/// of 5 minutes, so that anything a partner learns within seconds it learned from a hint, not from its poll. A second
/// instance of Zhejiang shares its store and Redis, for the flood spread over two instances. Partners that a test must
/// count requests at are faked in this process (<see cref="FakePartner"/>).
/// </summary>
[TestFixture]
public sealed class ListChangedHintTests
{
    /// <summary>The goal of issue 13: with default settings a revoked key fails at partners within 10 s.</summary>
    private static readonly TimeSpan RevocationGoal = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The default <c>HealthCode:Federation:ListChanged:FetchInterval</c>: the least time between two hinted fetches of one list.</summary>
    private static readonly TimeSpan FetchInterval = TimeSpan.FromSeconds(2);

    private FederationTopology _topology = null!;
    private ProvinceNode _zhejiang2 = null!;
    private HttpClient _http = null!;

    private ProvinceNode Henan => _topology.Henan;

    private ProvinceNode Zhejiang => _topology.Zhejiang;

    private ProvinceNode Guangdong => _topology.Guangdong;

    [OneTimeSetUp]
    public async Task StartFederationAsync()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        var clock = Stopwatch.StartNew();
        // The default (5 minutes), written out: the tests below must not pass by polling.
        _topology = await FederationTopology.StartAsync(ct, new Dictionary<string, string?> { ["HealthCode__Federation__RefreshInterval"] = "00:05:00" });
        _zhejiang2 = ProvinceNode.Create(_topology.WorkDirectory, Zhejiang.Code, Zhejiang.Name, _topology.ProvinceSettings);
        await _zhejiang2.StartAsync(ct);
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        TestContext.Progress.WriteLine($"Federation (Redis, hub, 3 provinces, a second Zhejiang) up in {clock.Elapsed.TotalSeconds:F1} s");
    }

    [OneTimeTearDown]
    public async Task StopFederationAsync()
    {
        _http?.Dispose();
        if (_zhejiang2 is not null)
        {
            await _zhejiang2.DisposeAsync();
        }

        if (_topology is not null)
        {
            await _topology.DisposeAsync();
        }
    }

    [TearDown]
    public void ReportProcessOutputOnFailure() =>
        FederationTopology.ReportOnFailure(() => (_topology?.OutputTails() ?? "") + $"\n--- 浙江省 (second instance):\n{_zhejiang2?.OutputTail(40)}");

    [Test]
    public async Task RevokedKey_IsRefusedAtPartners_Within10Seconds_BilaterallyAndThroughTheHub()
    {
        var resident = await Henan.NewResidentAsync();
        var zhejiangStaff = await Zhejiang.EnrolStaffAsync();
        var guangdongStaff = await Guangdong.EnrolStaffAsync();
        Assert.That(IsValid(await Zhejiang.Client.VerifyAsync(zhejiangStaff, resident.Qr)), Is.True, "valid at Zhejiang (bilateral) before");
        Assert.That(IsValid(await Guangdong.Client.VerifyAsync(guangdongStaff, resident.Qr)), Is.True, "valid at Guangdong (hub) before");

        // Rotate (the active key cannot be revoked), then revoke the key that signed the resident's code.
        var rotated = (await Henan.Client.OperatorAsync(HttpMethod.Post, "/api/v1/admin/keys/rotate", null, HttpStatusCode.OK))!;
        var compromised = rotated["keys"]!.AsArray().Select(k => k!.AsObject())
            .Where(k => (string?)k["status"] == "retired").OrderBy(k => (DateTimeOffset)k["retiredAt"]!).Last();
        var kid = (string)compromised["kid"]!;
        await Henan.Client.OperatorAsync(HttpMethod.Post, $"/api/v1/admin/keys/{kid}/revoke", new { reason = "test: private key leaked" }, HttpStatusCode.OK);
        var clock = Stopwatch.StartNew();

        // Both at once: each has the same 10 s from the revocation.
        await Task.WhenAll(
            Zhejiang.WaitForVerdictAsync(zhejiangStaff, resident.Qr, v => ErrorCode(v) == "key_revoked", RevocationGoal, "key_revoked (bilateral)"),
            Guangdong.WaitForVerdictAsync(guangdongStaff, resident.Qr, v => ErrorCode(v) == "key_revoked", RevocationGoal, "key_revoked (through the hub)"));
        TestContext.Progress.WriteLine($"Revocation refused at Zhejiang and Guangdong {clock.Elapsed.TotalSeconds:F1} s after it was made (refresh interval 5 min)");

        var sent = (await Henan.Client.GetTextAsync("/metrics")).Body.Split('\n');
        Assert.That(sent, Has.Some.StartsWith("healthcode_list_changed_sent_total{").And.Contains("outcome=\"delivered\""), "Henan counts the hints it delivered");

        // The resident's next code, signed with the new key (in the rotated list), is fine at both.
        var fresh = await resident.FreshQrAsync();
        Assert.That(IsValid(await Zhejiang.Client.VerifyAsync(zhejiangStaff, fresh)), Is.True, "the new key's code at Zhejiang");
        Assert.That(IsValid(await Guangdong.Client.VerifyAsync(guangdongStaff, fresh)), Is.True, "the new key's code at Guangdong");
    }

    [Test]
    public async Task Hint_ForUnknownIssuer_OrMalformed_IsRefusedWithItsCode_Never5xx()
    {
        var zhejiang = HintUrl(Zhejiang);
        var hub = HintUrl(_topology.Hub);

        // Sichuan is nobody's partner or member here; Zhejiang is not its own partner; the hub has no hub above it.
        Assert.That(await ProblemCodeAsync(zhejiang, """{"iss":"510000"}"""), Is.EqualTo((404, "unknown_issuer")));
        Assert.That(await ProblemCodeAsync(zhejiang, """{"iss":"330000"}"""), Is.EqualTo((404, "unknown_issuer")));
        Assert.That(await ProblemCodeAsync(hub, """{"iss":"510000"}"""), Is.EqualTo((404, "unknown_issuer")));
        Assert.That(await ProblemCodeAsync(hub, """{"iss":"hub"}"""), Is.EqualTo((404, "unknown_issuer")));

        Assert.That(await ProblemCodeAsync(zhejiang, """{"iss":"41000"}"""), Is.EqualTo((400, "validation_failed")));
        Assert.That((await ProblemCodeAsync(zhejiang, """{"iss":410000}""")).Status, Is.EqualTo(400), "a number");
        Assert.That(await ProblemCodeAsync(zhejiang, """{}"""), Is.EqualTo((400, "validation_failed")));
        Assert.That((await ProblemCodeAsync(zhejiang, """{"iss":"410000","trust":"me"}""")).Status, Is.EqualTo(400), "an unknown member");
        Assert.That((await ProblemCodeAsync(zhejiang, """{"iss":""")).Status, Is.EqualTo(400), "truncated JSON");
        Assert.That((await ProblemCodeAsync(zhejiang, "")).Status, Is.EqualTo(400), "no body");
        Assert.That((await ProblemCodeAsync(zhejiang, "iss=410000", "application/x-www-form-urlencoded")).Status, Is.EqualTo(415));

        // The known ones are taken: Henan at Zhejiang (bilateral), the hub at Guangdong, a member at the hub.
        Assert.That((await PostHintAsync(zhejiang, Henan.Code)).Status, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That((await PostHintAsync(HintUrl(Guangdong), "hub")).Status, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That((await PostHintAsync(hub, Henan.Code)).Status, Is.EqualTo(HttpStatusCode.Accepted));
    }

    [Test]
    public async Task FloodOfHints_OverTwoInstances_CausesAHandfulOfFetches_AndOnly202Or429()
    {
        await using var partner = new FakePartner("520000", "贵州省");
        using var issuer = EcKey.Generate();
        partner.Serve(partner.SignList(1, [(issuer, KeyStatus.Active)]));
        await Zhejiang.RegisterPartnerAsync(partner.Registration());
        try
        {
            // Both instances know the partner (the second through the shared store and Redis), and the registration's fetch is done.
            await Zhejiang.WaitForPartnerAsync(partner.Issuer, p => SeqOf(p) == 1, WaitTimeout, "seq 1");
            await _zhejiang2.WaitForPartnerAsync(partner.Issuer, p => SeqOf(p) == 1, WaitTimeout, "seq 1 (second instance)");
            var before = partner.ListRequests;

            const int Hints = 500;
            var answers = new Dictionary<HttpStatusCode, int>();
            var retryAfterMissing = 0;
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < Hints; i++)
            {
                var (status, retryAfter) = await PostHintAsync(HintUrl(i % 2 == 0 ? Zhejiang : _zhejiang2), partner.Issuer);
                answers[status] = answers.GetValueOrDefault(status) + 1;
                retryAfterMissing += status == HttpStatusCode.TooManyRequests && retryAfter is null ? 1 : 0;
            }

            var flood = clock.Elapsed;
            // The last hint's fetch starts at most one interval after the flood; then nothing more may come.
            await Task.Delay(FetchInterval * 2 + TimeSpan.FromSeconds(2));
            var fetches = partner.ListRequests - before;
            // One fetch per interval across both instances while the flood lasts (the shared lease), the first at once, and
            // after it at most one trailing fetch per instance (each holds the hints it took after its last fetch began).
            var allowed = 1 + (int)Math.Ceiling(flood / FetchInterval) + 2;
            TestContext.Progress.WriteLine(
                $"{Hints} hints in {flood.TotalSeconds:F1} s over two instances: {string.Join(", ", answers.Select(a => $"{(int)a.Key}×{a.Value}"))}; {fetches} fetches (at most {allowed} allowed)");

            Assert.Multiple(() =>
            {
                Assert.That(answers.Keys, Is.SubsetOf(new[] { HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests }), "only 202 and 429");
                Assert.That(answers.GetValueOrDefault(HttpStatusCode.Accepted), Is.Positive, "hints are taken");
                Assert.That(answers.GetValueOrDefault(HttpStatusCode.TooManyRequests), Is.Positive, "the overall limit refuses the excess");
                Assert.That(retryAfterMissing, Is.Zero, "every 429 says when to try again");
                Assert.That(fetches, Is.InRange(1, allowed), "a hinted fetch, but not a fetch storm");
            });
            var metrics = (await Zhejiang.Client.GetTextAsync("/metrics")).Body.Split('\n');
            Assert.That(metrics, Has.Some.StartsWith("healthcode_list_changed_received_total{").And.Contains("answer=\"rate_limited\""), "refusals are counted");
            Assert.That(metrics, Has.Some.StartsWith("healthcode_list_changed_fetches_total"), "hinted fetches are counted");
        }
        finally
        {
            await Zhejiang.RemovePartnerAsync(partner.Issuer);
            // The overall window (100 in 10 s) this flood filled clears before another test's hints come. A sliding window
            // admitted hints all through the flood as older ones aged out, so it stays nearly full for a whole window after
            // it: wait that window out, then check that hints are taken again.
            await Task.Delay(TimeSpan.FromSeconds(11));
            await Poll.UntilAsync(
                async () => (await PostHintAsync(HintUrl(Zhejiang), Henan.Code)).Status == HttpStatusCode.Accepted
                    && (await PostHintAsync(HintUrl(_zhejiang2), Henan.Code)).Status == HttpStatusCode.Accepted,
                WaitTimeout, "hints taken again after the flood");
        }
    }

    [Test]
    public async Task FloodOfHints_AtOneInstanceWithoutRedis_CausesAHandfulOfFetches()
    {
        // The embedded default: no Redis, so the lease is in process and the instance keeps the interval itself.
        var work = Directory.CreateTempSubdirectory("healthcode-hints-alone-").FullName;
        await using var partner = new FakePartner("540000", "西藏自治区");
        using var issuer = EcKey.Generate();
        partner.Serve(partner.SignList(1, [(issuer, KeyStatus.Active)]));
        var alone = ProvinceNode.Create(work, "410000", "河南省", new Dictionary<string, string?>());
        try
        {
            await alone.StartAsync(TestContext.CurrentContext.CancellationToken);
            await alone.RegisterPartnerAsync(partner.Registration());
            await alone.WaitForPartnerAsync(partner.Issuer, p => SeqOf(p) == 1, WaitTimeout, "seq 1");
            var before = partner.ListRequests;

            var answers = new Dictionary<HttpStatusCode, int>();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < 300; i++)
            {
                var (status, _) = await PostHintAsync(HintUrl(alone), partner.Issuer);
                answers[status] = answers.GetValueOrDefault(status) + 1;
            }

            var flood = clock.Elapsed;
            await Task.Delay(FetchInterval * 2 + TimeSpan.FromSeconds(2));
            var fetches = partner.ListRequests - before;
            // The first at once, one per interval while the flood lasts, one trailing.
            var allowed = 1 + (int)Math.Ceiling(flood / FetchInterval) + 1;
            TestContext.Progress.WriteLine($"300 hints in {flood.TotalSeconds:F1} s, no Redis: {fetches} fetches (at most {allowed} allowed)");
            Assert.Multiple(() =>
            {
                Assert.That(answers.Keys, Is.SubsetOf(new[] { HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests }), "only 202 and 429");
                Assert.That(fetches, Is.InRange(1, allowed), "a hinted fetch, but not a fetch storm");
            });
        }
        finally
        {
            await alone.DisposeAsync();
            FederationTopology.DeleteDirectory(work);
        }
    }

    [Test]
    public async Task ForgedList_FetchedOnAHint_IsRejected_AndTrustDoesNotChange()
    {
        await using var partner = new FakePartner("530000", "云南省");
        using var issuer = EcKey.Generate();
        using var impostorRoot = EcKey.Generate();
        partner.Serve(partner.SignList(5, [(issuer, KeyStatus.Active)]));
        var staff = await Zhejiang.EnrolStaffAsync();
        await Zhejiang.RegisterPartnerAsync(partner.Registration());
        try
        {
            await Zhejiang.WaitForPartnerAsync(partner.Issuer, p => (string?)p["state"] == "ok" && SeqOf(p) == 5, WaitTimeout, "ok with seq 5");
            var code = partner.SignCode(issuer);
            Assert.That(IsValid(await Zhejiang.Client.VerifyAsync(staff, code)), Is.True, "valid before");

            // Someone without the partner's root serves a list revoking its key, and hints Zhejiang to fetch it.
            partner.Serve(partner.SignList(6, [(issuer, KeyStatus.Revoked)], impostorRoot));
            var before = partner.ListRequests;
            var (status, _) = await PostHintAsync(HintUrl(Zhejiang), partner.Issuer);
            Assert.That(status, Is.EqualTo(HttpStatusCode.Accepted));

            // The hint made Zhejiang fetch (well before its 5-minute poll), and it rejected what it fetched.
            await Poll.UntilAsync(() => partner.ListRequests > before, WaitTimeout, "Zhejiang fetches the list on the hint");
            var held = await Zhejiang.WaitForPartnerAsync(
                partner.Issuer, p => ((string?)p["lastError"])?.Contains("bad_signature", StringComparison.Ordinal) == true, WaitTimeout, "failing with bad_signature");
            var after = await Zhejiang.Client.VerifyAsync(staff, code);
            Assert.Multiple(() =>
            {
                Assert.That(SeqOf(held), Is.EqualTo(5), "the good list is kept");
                Assert.That(IsValid(after), Is.True, $"the key is not revoked by a forged list: {after.ToJsonString()}");
            });
        }
        finally
        {
            await Zhejiang.RemovePartnerAsync(partner.Issuer);
        }
    }

    [Test]
    public async Task HintAtTheHub_ForAnUnchangedMemberList_IsNotRelayed()
    {
        var hub = _topology.Hub;
        // The hub relays a member's hint only once it fetched a newer list of that member than it saw last. The first hint
        // about Zhejiang since the hub started may be relayed (nothing seen yet); from then on Zhejiang's list is unchanged.
        await HintHubAndWaitForItsFetchAsync(hub);
        var sentBefore = await CounterSumAsync(hub, "healthcode_list_changed_sent_total");

        await HintHubAndWaitForItsFetchAsync(hub);
        var sentAfter = await CounterSumAsync(hub, "healthcode_list_changed_sent_total");

        Assert.That(sentAfter, Is.EqualTo(sentBefore), "a hint about an unchanged list reaches no member");
    }

    /// <summary>Hints the hub about Zhejiang, waits until the hub's fetch it caused is done, and for any relay to be sent.</summary>
    private async Task HintHubAndWaitForItsFetchAsync(ProvinceNode hub)
    {
        var fetches = await CounterSumAsync(hub, "healthcode_list_changed_fetches_total");
        // Bounded: hints are coalesced within FetchInterval, so a few tries 1 s apart start a new fetch.
        await Poll.UntilAsync(
            async () =>
            {
                Assert.That((await PostHintAsync(HintUrl(hub), Zhejiang.Code)).Status, Is.EqualTo(HttpStatusCode.Accepted));
                await Task.Delay(TimeSpan.FromSeconds(1));
                return await CounterSumAsync(hub, "healthcode_list_changed_fetches_total") > fetches;
            },
            WaitTimeout,
            "the hub fetches Zhejiang's list on the hint");
        // The fetch is a conditional GET on loopback and a relay a few posts: both long done after this.
        await Task.Delay(FetchInterval);
    }

    /// <summary>The sum of a counter's series on <paramref name="node"/>'s <c>/metrics</c> (0 when it has none yet).</summary>
    private static async Task<double> CounterSumAsync(ProvinceNode node, string name) =>
        (await node.Client.GetTextAsync("/metrics")).Body.Split('\n')
            .Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));

    [Test]
    public async Task OpenApi_DocumentsTheHint_PublicWithItsAnswers_InProvinceAndHub()
    {
        foreach (var node in new[] { Zhejiang, _topology.Hub })
        {
            var (status, text) = await node.Client.GetTextAsync("/openapi/v1.json");
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), text);
            var operation = JsonNode.Parse(text)!["paths"]?["/.well-known/healthcode/list-changed"]?["post"];
            Assert.That(operation, Is.Not.Null, $"{node.Name}: POST /.well-known/healthcode/list-changed is documented");
            Assert.Multiple(() =>
            {
                Assert.That(operation!["responses"]!.AsObject().Select(r => r.Key), Is.SupersetOf(new[] { "202", "400", "404", "415", "429" }), node.Name);
                Assert.That(operation["security"]!.AsArray(), Is.Empty, $"{node.Name}: a hint takes no credential");
                Assert.That(operation["requestBody"]!["content"]!.AsObject().Select(c => c.Key), Does.Contain("application/json"), node.Name);
            });
        }
    }

    private static Uri HintUrl(ProvinceNode node) => new(node.BaseAddress, "/.well-known/healthcode/list-changed");

    private async Task<(HttpStatusCode Status, TimeSpan? RetryAfter)> PostHintAsync(Uri url, string iss)
    {
        using var response = await _http.PostAsync(url, JsonContent.Create(new { iss }));
        return (response.StatusCode, response.Headers.RetryAfter?.Delta);
    }

    /// <summary>Posts <paramref name="body"/> as it is; returns the status and the problem's <c>code</c>.</summary>
    private async Task<(int Status, string? Code)> ProblemCodeAsync(Uri url, string body, string mediaType = "application/json")
    {
        using var content = new StringContent(body, Encoding.UTF8, mediaType);
        using var response = await _http.PostAsync(url, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.LessThan(500), $"{body}: {text}");
        var code = text.StartsWith('{') ? (string?)JsonNode.Parse(text)?["code"] : null;
        return ((int)response.StatusCode, code);
    }
}
