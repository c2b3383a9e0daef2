using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HealthCode.Integration.Federation;
using HealthCode.Integration.Tests;

namespace HealthCode.Integration.SharedState;

/// <summary>
/// Two instances of one province (Guangdong, 440000) behind one name, as TwoInstanceTests starts them: one store
/// (a SQLite file in WAL mode, where production has one PostgreSQL) and one redis-server. What lived in each process's
/// memory must hold across them (DESIGN §11): one-time codes, the limits on them, and staff and operator revocation.
/// </summary>
/// <remarks>
/// The limits are set small so that a test reaches them in a few requests: 3 codes per phone an hour, no resend
/// interval, 3 tries per code, 6 wrong guesses per phone, 2 ID-card lookups per staff member a minute. Staff tokens are cached for 10 minutes, so a refusal
/// within the test's wait can only have come through Redis, not from a cached entry that aged out.
/// </remarks>
[TestFixture]
public sealed class SharedStateAcrossInstancesTests
{
    private const string Province = "440000";
    private const int CodesPerPhone = 3;
    private const int TriesPerCode = 3;
    private const int WrongGuessesPerPhone = 6;
    private const int LookupsPerMinute = 2;

    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(20);

    private string _work = null!;
    private RedisServer _redis = null!;
    private ProvinceNode _a = null!;
    private ProvinceNode _b = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartInstancesAsync()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        _work = Directory.CreateTempSubdirectory("healthcode-shared-state-").FullName;
        _redis = await RedisServer.StartAsync(ct);
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Redis"] = _redis.Configuration,
            ["HealthCode__Otp__ResendInterval"] = "00:00:00",
            ["HealthCode__Otp__PerAddress__Limit"] = "1000",
            ["HealthCode__Otp__PerPhoneHourly__Limit"] = CodesPerPhone.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["HealthCode__Otp__MaxAttempts"] = TriesPerCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["HealthCode__Otp__WrongGuesses__Limit"] = WrongGuessesPerPhone.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["HealthCode__Staff__TokenCacheLifetime"] = "00:10:00",
            ["HealthCode__Staff__LookupsPerMinute"] = LookupsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        _a = ProvinceNode.Create(_work, Province, "广东省", new Dictionary<string, string?>(settings));
        _b = ProvinceNode.Create(_work, Province, "广东省", new Dictionary<string, string?>(settings));
        Assert.That(_b.DataDirectory, Is.EqualTo(_a.DataDirectory), "one store");
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            // One after the other: each migrates the schema at start-up (see TwoInstanceTests).
            await _a.StartAsync(ct);
            await _b.StartAsync(ct);
        }
        catch
        {
            TestContext.Progress.WriteLine(OutputTails());
            throw;
        }
    }

    [OneTimeTearDown]
    public async Task StopInstancesAsync()
    {
        _http?.Dispose();
        if (_a is not null)
        {
            await _a.DisposeAsync();
        }

        if (_b is not null)
        {
            await _b.DisposeAsync();
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
    public async Task Otp_SentByA_LogsInOnB_AndOnlyOnce()
    {
        var phone = ResidentPage.NewPhone();
        var code = await SendCodeAsync(_a, phone);

        var atB = await LogInAsync(_b, phone, code);
        var againAtB = await LogInAsync(_b, phone, code);
        var againAtA = await LogInAsync(_a, phone, code);

        Assert.Multiple(() =>
        {
            Assert.That(atB.Status, Is.EqualTo(HttpStatusCode.OK), atB.Text);
            Assert.That((string?)atB.Body?["token"], Is.Not.Empty);
            Assert.That(againAtB.Status, Is.EqualTo(HttpStatusCode.Unauthorized), againAtB.Text);
            Assert.That(againAtA.Status, Is.EqualTo(HttpStatusCode.Unauthorized), againAtA.Text);
            Assert.That(againAtA.Code, Is.EqualTo("otp_invalid"), "the code was used up on B");
        });
    }

    [Test]
    public async Task PerPhoneSendLimit_CountsCodesSentByBothInstances()
    {
        var phone = ResidentPage.NewPhone();
        for (var i = 0; i < CodesPerPhone; i++)
        {
            await SendCodeAsync(i % 2 == 0 ? _a : _b, phone);
        }

        var overAtB = await CallAsync(_b, HttpMethod.Post, "/api/v1/auth/otp", null, new { phone });
        var overAtA = await CallAsync(_a, HttpMethod.Post, "/api/v1/auth/otp", null, new { phone });
        Assert.Multiple(() =>
        {
            Assert.That(overAtB.Status, Is.EqualTo(HttpStatusCode.TooManyRequests), overAtB.Text);
            Assert.That(overAtB.Code, Is.EqualTo("otp_rate_limited_phone"));
            Assert.That(overAtB.RetryAfter, Is.Not.Null);
            Assert.That(overAtA.Code, Is.EqualTo("otp_rate_limited_phone"), overAtA.Text);
        });
    }

    [Test]
    public async Task OneCodesTries_CountAcrossInstances()
    {
        var phone = ResidentPage.NewPhone();
        var code = await SendCodeAsync(_a, phone);
        var wrong = Wrong(code);
        var tries = new List<string?>();
        for (var i = 0; i < TriesPerCode; i++)
        {
            tries.Add((await LogInAsync(i % 2 == 0 ? _b : _a, phone, wrong)).Code);
        }

        var right = await LogInAsync(_b, phone, code);
        Assert.Multiple(() =>
        {
            Assert.That(tries, Has.All.EqualTo("otp_invalid"));
            Assert.That(right.Code, Is.EqualTo("otp_attempts_exceeded"), $"the code took {TriesPerCode} tries on A and B together: {right.Text}");
        });
    }

    [Test]
    public async Task WrongGuessBudget_CountsAcrossInstances_AndANewCodeDoesNotResetIt()
    {
        var phone = ResidentPage.NewPhone();
        var first = await SendCodeAsync(_a, phone);
        for (var i = 0; i < TriesPerCode; i++)
        {
            Assert.That((await LogInAsync(i % 2 == 0 ? _a : _b, phone, Wrong(first))).Code, Is.EqualTo("otp_invalid"));
        }

        var second = await SendCodeAsync(_b, phone);
        for (var i = 0; i < WrongGuessesPerPhone - TriesPerCode; i++)
        {
            Assert.That((await LogInAsync(i % 2 == 0 ? _b : _a, phone, Wrong(second))).Code, Is.EqualTo("otp_invalid"));
        }

        var right = await LogInAsync(_a, phone, second);
        Assert.Multiple(() =>
        {
            Assert.That(right.Status, Is.EqualTo(HttpStatusCode.TooManyRequests), right.Text);
            Assert.That(right.Code, Is.EqualTo("otp_rate_limited_guesses"), $"{WrongGuessesPerPhone} wrong guesses on A and B together spend the phone's budget");
            Assert.That(right.RetryAfter, Is.Not.Null);
        });
    }

    [Test]
    public async Task StaffLookupLimit_CountsLookupsOnBothInstances()
    {
        var staff = await _a.EnrolStaffAsync();
        var lookup = new { idNumber = IdNumbers.NewValid(), name = "无此人", checkpointId = staff.CheckpointId };
        var answers = new List<Answer>();
        for (var i = 0; i < LookupsPerMinute; i++)
        {
            answers.Add(await CallAsync(i % 2 == 0 ? _a : _b, HttpMethod.Post, "/api/v1/lookup", staff.Token, lookup));
        }

        var overAtB = await CallAsync(_b, HttpMethod.Post, "/api/v1/lookup", staff.Token, lookup);
        Assert.Multiple(() =>
        {
            Assert.That(answers.Select(a => a.Code), Has.All.EqualTo("resident_not_found"), string.Join("\n", answers.Select(a => a.Text)));
            Assert.That(overAtB.Status, Is.EqualTo(HttpStatusCode.TooManyRequests), overAtB.Text);
            Assert.That(overAtB.Code, Is.EqualTo("rate_limited"));
            Assert.That(overAtB.RetryAfter, Is.Not.Null);
        });
    }

    [Test]
    public async Task StaffToken_RevokedOnA_IsRefusedOnB()
    {
        var staff = await _a.EnrolStaffAsync();
        var before = await CallAsync(_b, HttpMethod.Get, "/api/v1/staff/me", staff.Token);
        Assert.That(before.Status, Is.EqualTo(HttpStatusCode.OK), $"B knows the token (and caches it): {before.Text}");

        await _a.Client.RevokeStaffAsync(staff);
        var clock = Stopwatch.StartNew();
        var refused = await WaitForAsync(_b, "/api/v1/staff/me", staff.Token, "staff_token_revoked");
        TestContext.Out.WriteLine($"B refused the revoked staff token {clock.Elapsed.TotalMilliseconds:F0} ms after A answered the revocation");
        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    /// <summary>Operators' accounts are read from the store on every request (no cache), so this holds with the store alone.</summary>
    [Test]
    public async Task OperatorToken_RevokedOnA_IsRefusedOnB()
    {
        var created = (await _a.Client.OperatorAsync(
            HttpMethod.Post, "/api/v1/admin/operators", new { name = "审计员" + Guid.NewGuid().ToString("N")[..6], roles = new[] { "auditor" } }, HttpStatusCode.Created))!;
        var token = (string)created["token"]!;
        var before = await CallAsync(_b, HttpMethod.Get, "/api/v1/admin/audit?limit=1", token);
        Assert.That(before.Status, Is.EqualTo(HttpStatusCode.OK), before.Text);

        await _a.Client.OperatorAsync(HttpMethod.Delete, $"/api/v1/admin/operators/{(string)created["operatorId"]!}", null, HttpStatusCode.NoContent);
        var clock = Stopwatch.StartNew();
        var refused = await WaitForAsync(_b, "/api/v1/admin/audit?limit=1", token, "operator_key_revoked");
        TestContext.Out.WriteLine($"B refused the revoked operator token {clock.Elapsed.TotalMilliseconds:F0} ms after A answered the revocation");
        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    /// <summary>
    /// Redis is killed mid-run. Logins fail closed (503 with a stable code and Retry-After: no code nobody else could check,
    /// no budget counted per instance); a staff token revoked meanwhile is still refused on the other instance, which reads
    /// tokens from the store while it cannot hear revocations; once Redis is back, without a restart, a code sent by one
    /// instance logs in on the other again.
    /// </summary>
    [Test]
    public async Task RedisDown_LoginFailsClosed_RevocationFallsBackToTheStore_AndAllRecoversWhenBack()
    {
        var staff = await _a.EnrolStaffAsync();
        Assert.That((await CallAsync(_b, HttpMethod.Get, "/api/v1/staff/me", staff.Token)).Status, Is.EqualTo(HttpStatusCode.OK), "B caches the token");
        var phone = ResidentPage.NewPhone();
        var code = await SendCodeAsync(_a, phone);

        await _redis.StopAsync();
        Answer send, login, refused;
        try
        {
            send = await CallAsync(_a, HttpMethod.Post, "/api/v1/auth/otp", null, new { phone = ResidentPage.NewPhone() });
            login = await LogInAsync(_b, phone, code);
            await _a.Client.RevokeStaffAsync(staff);
            refused = await WaitForAsync(_b, "/api/v1/staff/me", staff.Token, "staff_token_revoked");
        }
        finally
        {
            await _redis.StartAgainAsync(TestContext.CurrentContext.CancellationToken);
        }

        Assert.Multiple(() =>
        {
            Assert.That(send.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), send.Text);
            Assert.That(send.Code, Is.EqualTo("rate_limit_unavailable"));
            Assert.That(send.RetryAfter, Is.Not.Null);
            Assert.That(login.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), login.Text);
            Assert.That(login.Code, Is.EqualTo("rate_limit_unavailable"));
            Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        });

        // Recovery without restart: the multiplexers reconnect by themselves (bounded wait).
        var again = ResidentPage.NewPhone();
        string? newCode = null;
        await Poll.UntilAsync(
            async () =>
            {
                var sent = await CallAsync(_a, HttpMethod.Post, "/api/v1/auth/otp", null, new { phone = again });
                newCode = (string?)sent.Body?["devCode"];
                return sent.Status == HttpStatusCode.Accepted;
            },
            TimeSpan.FromSeconds(40),
            "A sends codes again once Redis is back");
        var loggedIn = await LogInAsync(_b, again, newCode!);
        Assert.That(loggedIn.Status, Is.EqualTo(HttpStatusCode.OK), $"the code sent by A logs in on B again: {loggedIn.Text}");
    }

    private static string Wrong(string code) => code == "000000" ? "000001" : "000000";

    private async Task<string> SendCodeAsync(ProvinceNode instance, string phone)
    {
        var sent = await CallAsync(instance, HttpMethod.Post, "/api/v1/auth/otp", null, new { phone });
        Assert.That(sent.Status, Is.EqualTo(HttpStatusCode.Accepted), sent.Text);
        return (string)sent.Body!["devCode"]!;
    }

    private Task<Answer> LogInAsync(ProvinceNode instance, string phone, string code) =>
        CallAsync(instance, HttpMethod.Post, "/api/v1/auth/login", null, new { phone, code });

    /// <summary>GETs <paramref name="path"/> until it answers the problem <paramref name="code"/>; fails after <see cref="WaitTimeout"/>.</summary>
    private async Task<Answer> WaitForAsync(ProvinceNode instance, string path, string token, string code)
    {
        var clock = Stopwatch.StartNew();
        for (var polls = 1; ; polls++)
        {
            var asked = clock.Elapsed;
            var last = await CallAsync(instance, HttpMethod.Get, path, token);
            if (last.Code == code)
            {
                TestContext.Out.WriteLine($"{path}: {code} at poll {polls}, asked {asked.TotalMilliseconds:F0} ms into the wait, answered in {(clock.Elapsed - asked).TotalMilliseconds:F0} ms");
                return last;
            }

            if (clock.Elapsed > WaitTimeout)
            {
                Assert.Fail($"{path} at {instance.BaseAddress} did not answer {code} within {WaitTimeout.TotalSeconds} s; last: {(int)last.Status} {last.Text}");
            }

            await Task.Delay(100);
        }
    }

    private async Task<Answer> CallAsync(ProvinceNode instance, HttpMethod method, string path, string? token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(instance.BaseAddress, path))
        {
            Content = body is null ? null : JsonContent.Create(body),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.StartsWith('{') ? JsonNode.Parse(text)?.AsObject() : null;
        return new Answer(response.StatusCode, json, text, response.Headers.RetryAfter?.Delta);
    }

    private string OutputTails() =>
        $"--- Guangdong, instance A:\n{_a?.OutputTail()}\n--- Guangdong, instance B:\n{_b?.OutputTail()}";

    private sealed record Answer(HttpStatusCode Status, JsonObject? Body, string Text, TimeSpan? RetryAfter)
    {
        public string? Code => (string?)Body?["code"];
    }
}
