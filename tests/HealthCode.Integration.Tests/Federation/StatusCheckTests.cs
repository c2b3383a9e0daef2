using System.Diagnostics;
using System.Text.Json.Nodes;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Verification;
using static HealthCode.Integration.Federation.ServiceAnswers;

namespace HealthCode.Integration.Federation;

/// <summary>
/// The online status check (<c>HealthCode:Federation:OnlineStatusCheck</c>), with real processes on
/// 127.0.0.1: a Zhejiang checkpoint that scans a Henan code asks Henan
/// (<c>POST /api/v1/partner/status</c>, signed with Zhejiang's issuer key) whether the token's
/// status version is still the current one. Henan and Zhejiang recognise each other bilaterally
/// (each must hold the other's list: Henan checks the signature on Zhejiang's question); no hub and
/// no Redis are needed. Partners that hang are faked in this process.
/// </summary>
[TestFixture]
public sealed class StatusCheckTests
{
    private static readonly TimeSpan ConvergeTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long to keep scanning until the issuer's answer arrives in time: the first answers of a
    /// freshly started (or restarted) Henan can miss the timeout on a loaded machine.
    /// </summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// A scan that takes longer than this waited on the issuer beyond the status check's timeout:
    /// it catches a hang, it is not a benchmark.
    /// </summary>
    private static readonly TimeSpan HangDetector = TimeSpan.FromSeconds(5);

    private string _work = null!;
    private ProvinceNode _henan = null!;
    private ProvinceNode _zhejiang = null!;

    [OneTimeSetUp]
    public async Task StartProvincesAsync()
    {
        var clock = Stopwatch.StartNew();
        _work = Directory.CreateTempSubdirectory("healthcode-status-check-").FullName;
        _henan = ProvinceNode.Create(_work, "410000", "河南省", new Dictionary<string, string?>());
        _zhejiang = ProvinceNode.Create(_work, "330000", "浙江省", new Dictionary<string, string?>
        {
            ["HealthCode__Federation__OnlineStatusCheck"] = "true",
            // 1 s instead of the 300 ms default: the other load on a test machine must not turn a
            // live answer into "unavailable". Still well under HangDetector.
            ["HealthCode__Federation__StatusCheckTimeout"] = "00:00:01",
        });
        try
        {
            var ct = TestContext.CurrentContext.CancellationToken;
            await Task.WhenAll(_henan.StartAsync(ct), _zhejiang.StartAsync(ct));
            await _zhejiang.RegisterPartnerAsync(_henan.Registration());
            await _henan.RegisterPartnerAsync(_zhejiang.Registration());
            await Task.WhenAll(
                _zhejiang.WaitForPartnerAsync(_henan.Code, FederationTopology.IsOk("bilateral"), ConvergeTimeout, "ok (bilateral)"),
                _henan.WaitForPartnerAsync(_zhejiang.Code, FederationTopology.IsOk("bilateral"), ConvergeTimeout, "ok (bilateral)"));
        }
        catch
        {
            TestContext.Progress.WriteLine(OutputTails());
            throw;
        }

        TestContext.Progress.WriteLine($"Henan and Zhejiang up and recognising each other in {clock.Elapsed.TotalSeconds:F1} s");
    }

    [OneTimeTearDown]
    public async Task StopProvincesAsync()
    {
        if (_henan is not null)
        {
            await _henan.DisposeAsync();
        }

        if (_zhejiang is not null)
        {
            await _zhejiang.DisposeAsync();
        }

        if (_work is not null)
        {
            FederationTopology.DeleteDirectory(_work);
        }
    }

    [TearDown]
    public void ReportProcessOutputOnFailure() => FederationTopology.ReportOnFailure(OutputTails);

    [Test]
    public async Task Verify_OlderHenanToken_IsCodeRevokedWithStatusChanged_AfterANewDeclaration_AndTheFreshTokenIsConfirmed()
    {
        var resident = await _henan.NewResidentAsync();
        var staff = await _zhejiang.EnrolStaffAsync();
        var t1 = resident.Qr;

        var beforeChange = await _zhejiang.WaitForVerdictAsync(staff, t1, IsAnswered, AnswerTimeout, "answered by Henan");
        Assert.Multiple(() =>
        {
            Assert.That(IsValid(beforeChange), Is.True, beforeChange.ToJsonString());
            Assert.That((string?)beforeChange["color"], Is.EqualTo("green"));
            Assert.That(StatusCheck(beforeChange), Is.EqualTo("confirmed"));
        });

        // Contact with a confirmed case: red (DESIGN §6), and the code's status version rises.
        var redeclared = await resident.DeclareAgainAsync(confirmedCaseContact: true);
        Assert.That((string?)redeclared["color"], Is.EqualTo("red"), redeclared.ToJsonString());
        var t2 = await resident.FreshQrAsync();

        var stale = await _zhejiang.WaitForVerdictAsync(staff, t1, IsAnswered, AnswerTimeout, "answered by Henan");
        var fresh = await _zhejiang.WaitForVerdictAsync(staff, t2, IsAnswered, AnswerTimeout, "answered by Henan");
        TestContext.Out.WriteLine($"T1 after the new declaration: {stale.ToJsonString()}\nT2: {fresh.ToJsonString()}");
        Assert.Multiple(() =>
        {
            // T1's signature and lifetime are still fine: only the issuer's answer can tell it is stale.
            Assert.That(beforeChange["expiresAt"]!.GetValue<DateTimeOffset>(), Is.GreaterThan(DateTimeOffset.UtcNow), "T1 is still within its lifetime");
            Assert.That(IsValid(stale), Is.False);
            Assert.That(ErrorCode(stale), Is.EqualTo("code_revoked"));
            Assert.That(StatusCheck(stale), Is.EqualTo("changed"));

            Assert.That(IsValid(fresh), Is.True);
            Assert.That((string?)fresh["color"], Is.EqualTo("red"));
            Assert.That((string?)fresh["issuer"], Is.EqualTo("410000"));
            Assert.That((string?)fresh["source"], Is.EqualTo("partner"));
            Assert.That(StatusCheck(fresh), Is.EqualTo("confirmed"));
        });
    }

    [Test]
    public async Task Verify_HenanStopped_GivesTheOfflineVerdictFlaggedUnavailable_Promptly()
    {
        var qr = (await _henan.NewResidentAsync()).Qr;
        var staff = await _zhejiang.EnrolStaffAsync();
        var live = await _zhejiang.WaitForVerdictAsync(staff, qr, v => StatusCheck(v) == "confirmed", AnswerTimeout, "confirmed by Henan");
        Assert.That(IsValid(live), Is.True, live.ToJsonString());

        await _henan.StopAsync();
        try
        {
            // A few scans, each timed: connection refused must not turn into retries or waits.
            var scans = new List<(JsonObject Verdict, TimeSpan Elapsed)>();
            for (var i = 0; i < 3; i++)
            {
                var clock = Stopwatch.StartNew();
                var verdict = await _zhejiang.Client.VerifyAsync(staff, qr);
                scans.Add((verdict, clock.Elapsed));
            }

            TestContext.Out.WriteLine($"Scans with Henan stopped: {string.Join(", ", scans.Select(s => $"{s.Elapsed.TotalMilliseconds:F0} ms"))}");
            Assert.Multiple(() =>
            {
                foreach (var (verdict, elapsed) in scans)
                {
                    Assert.That(IsValid(verdict), Is.True, $"the offline verdict stands: {verdict.ToJsonString()}");
                    Assert.That((string?)verdict["color"], Is.EqualTo("green"));
                    Assert.That((string?)verdict["source"], Is.EqualTo("partner"));
                    Assert.That(StatusCheck(verdict), Is.EqualTo("unavailable"));
                    Assert.That(elapsed, Is.LessThan(HangDetector), "the scan did not hang on the dead issuer");
                }
            });
        }
        finally
        {
            // Back on the same port with the same store, for the other tests of this fixture.
            await _henan.StartAsync(TestContext.CurrentContext.CancellationToken);
        }
    }

    [Test]
    public async Task Verify_PartnerWhoseStatusServiceHangs_GivesTheOfflineVerdictFlaggedUnavailable_Promptly()
    {
        await using var partner = new FakePartner("620000", "甘肃省");
        using var issuer = EcKey.Generate();
        partner.ServeAndHangStatusChecks(partner.SignList(1, [(issuer, KeyStatus.Active)]));
        var staff = await _zhejiang.EnrolStaffAsync();
        await _zhejiang.RegisterPartnerAsync(partner.Registration());
        try
        {
            await _zhejiang.WaitForPartnerAsync(partner.Issuer, p => (string?)p["state"] == "ok", ConvergeTimeout, "ok (its list is cached)");
            var qr = partner.SignCode(issuer);

            var clock = Stopwatch.StartNew();
            var verdict = await _zhejiang.Client.VerifyAsync(staff, qr);
            var elapsed = clock.Elapsed;
            TestContext.Out.WriteLine($"Scan with the partner's status service hanging: {elapsed.TotalMilliseconds:F0} ms; {verdict.ToJsonString()}");

            // The question did reach the partner, which held it unanswered.
            await Poll.UntilAsync(() => partner.StatusRequests > 0, TimeSpan.FromSeconds(5), "the status request reaches the hanging partner");
            Assert.Multiple(() =>
            {
                Assert.That(IsValid(verdict), Is.True, $"the offline verdict stands: {verdict.ToJsonString()}");
                Assert.That((string?)verdict["issuer"], Is.EqualTo(partner.Issuer));
                Assert.That((string?)verdict["issuerName"], Is.EqualTo(partner.Name));
                Assert.That((string?)verdict["source"], Is.EqualTo("partner"));
                Assert.That(StatusCheck(verdict), Is.EqualTo("unavailable"));
                Assert.That(elapsed, Is.LessThan(HangDetector), "the scan did not wait on the hanging partner");
            });
        }
        finally
        {
            await _zhejiang.RemovePartnerAsync(partner.Issuer);
        }
    }

    /// <summary>
    /// An answer that is not exactly the documented shape is no answer: the offline verdict stands,
    /// flagged unavailable, even when the answer claims a newer status version.
    /// </summary>
    [TestCase("""{"sub":"C0DE0001","color":"purple","statusVersion":9,"updatedAt":"2026-01-01T00:00:00Z"}""", TestName = "A colour outside the three")]
    [TestCase("""{"sub":"SOMEONE-ELSE","color":"red","statusVersion":9,"updatedAt":"2026-01-01T00:00:00Z"}""", TestName = "An answer about another code")]
    [TestCase("""{"sub":"C0DE0001","color":"red","statusVersion":9}""", TestName = "A member missing")]
    [TestCase("OVERSIZED", TestName = "An answer over the size cap")]
    public async Task Verify_PartnerWhoseStatusAnswerIsMalformed_GivesTheOfflineVerdictFlaggedUnavailable(string answer)
    {
        const string codeId = "C0DE0001";
        if (answer == "OVERSIZED")
        {
            answer = $$"""{"sub":"{{codeId}}","color":"red","statusVersion":9,"updatedAt":"2026-01-01T00:00:00Z","pad":"{{new string('x', 2000)}}"}""";
        }

        await using var partner = new FakePartner("630000", "青海省");
        using var issuer = EcKey.Generate();
        partner.ServeAndAnswerStatusChecks(partner.SignList(1, [(issuer, KeyStatus.Active)]), answer);
        var staff = await _zhejiang.EnrolStaffAsync();
        await _zhejiang.RegisterPartnerAsync(partner.Registration());
        try
        {
            await _zhejiang.WaitForPartnerAsync(partner.Issuer, p => (string?)p["state"] == "ok", ConvergeTimeout, "ok (its list is cached)");

            var verdict = await _zhejiang.Client.VerifyAsync(staff, partner.SignCode(issuer, codeId));

            Assert.Multiple(() =>
            {
                Assert.That(partner.StatusRequests, Is.GreaterThan(0), "the status request reached the partner");
                Assert.That(IsValid(verdict), Is.True, $"the offline verdict stands: {verdict.ToJsonString()}");
                Assert.That(StatusCheck(verdict), Is.EqualTo("unavailable"));
            });
        }
        finally
        {
            await _zhejiang.RemovePartnerAsync(partner.Issuer);
        }
    }

    /// <summary>The issuer answered in time: the verdict says confirmed or changed, not unavailable.</summary>
    private static bool IsAnswered(JsonObject verdict) => StatusCheck(verdict) is "confirmed" or "changed";

    private string OutputTails() =>
        $"--- Henan:\n{_henan?.OutputTail()}\n--- Zhejiang:\n{_zhejiang?.OutputTail()}";
}
