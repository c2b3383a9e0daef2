using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.RateLimiting;
using HealthCode.Api.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static HealthCode.Api.Tests.Support.Problems;

namespace HealthCode.Api.Tests.Http;

/// <summary>
/// Issue 9: one-time codes can be neither sent nor guessed without limit (one address once had 388,724 codes
/// sent in 140 s, and each new code reset the guess lockout). Every refusal is a 429 with a stable code and
/// Retry-After. Each test runs its own service, since it moves that service's clock.
/// </summary>
[TestFixture]
internal sealed class OtpLimitTests
{
    private static readonly OtpOptions Defaults = new();

    [Test]
    public async Task Otp_AThousandRequestsFromOneAddress_AreMostlyRefused_WithRetryAfter()
    {
        using var factory = new HealthCodeFactory(settings: new() { ["HealthCode:Otp:PerAddress:Limit"] = Text(Defaults.PerAddress.Limit) });
        var client = factory.CreateClient();

        var sent = 0;
        var refusals = new List<(string? Code, TimeSpan? RetryAfter)>();
        for (var i = 0; i < 1000; i++)
        {
            // A new phone each time: only the address has anything in common.
            using var response = await RequestOtpAsync(client, NewPhone(client));
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                sent++;
            }
            else
            {
                refusals.Add(await RefusalAsync(response));
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(sent, Is.EqualTo(Defaults.PerAddress.Limit));
            Assert.That(refusals.Select(r => r.Code), Has.All.EqualTo("otp_rate_limited_address"));
            Assert.That(refusals.Select(r => r.RetryAfter), Has.All.InRange(TimeSpan.FromSeconds(1), Defaults.PerAddress.Window));
        });

        // A window, not a ban: once it has passed, the address may ask again.
        factory.Time.Advance(Defaults.PerAddress.Window);
        Assert.That((await RequestOtpAsync(client, NewPhone(client))).StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
    }

    [Test]
    public async Task Otp_AddressWindow_Slides_RatherThanResettingOnTheClock()
    {
        using var factory = new HealthCodeFactory(settings: new() { ["HealthCode:Otp:PerAddress:Limit"] = "3", ["HealthCode:Otp:PerAddress:Window"] = "00:10:00" });
        var client = factory.CreateClient();

        await SendAsync(client, NewPhone(client));
        await SendAsync(client, NewPhone(client));
        factory.Time.Advance(TimeSpan.FromMinutes(5));
        await SendAsync(client, NewPhone(client));
        var full = await RefusalAsync(await RequestOtpAsync(client, NewPhone(client)));

        // Ten minutes after the first two, those two have left the window, the third has not.
        factory.Time.Advance(TimeSpan.FromMinutes(5));
        await SendAsync(client, NewPhone(client));
        await SendAsync(client, NewPhone(client));
        var fullAgain = await RefusalAsync(await RequestOtpAsync(client, NewPhone(client)));

        Assert.Multiple(() =>
        {
            Assert.That(full, Is.EqualTo(("otp_rate_limited_address", (TimeSpan?)TimeSpan.FromMinutes(5))));
            Assert.That(fullAgain, Is.EqualTo(("otp_rate_limited_address", (TimeSpan?)TimeSpan.FromMinutes(5))));
        });
    }

    [TestCase(null, TestName = "Otp_XForwardedFor_IsIgnored_WhenNoProxyIsTrusted")]
    [TestCase("10.0.0.1", TestName = "Otp_XForwardedFor_IsIgnored_FromAPeerThatIsNotATrustedProxy")]
    [TestCase("10.0.0.0/8", TestName = "Otp_XForwardedFor_IsIgnored_FromAPeerOutsideTheTrustedNetwork")]
    public async Task Otp_XForwardedFor_IsIgnored_UnlessATrustedProxySendsIt(string? trustedProxy)
    {
        var settings = new Dictionary<string, string?> { ["HealthCode:Otp:PerAddress:Limit"] = "2" };
        if (trustedProxy is not null)
        {
            settings["HealthCode:Network:TrustedProxies:0"] = trustedProxy;
        }

        using var factory = new HealthCodeFactory(settings: settings);
        var client = factory.CreateClient();

        var answers = new List<HttpStatusCode>();
        foreach (var claimed in new[] { "198.51.100.1", "198.51.100.2", "198.51.100.3", "2001:db8::1" })
        {
            answers.Add((await RequestOtpAsync(client, NewPhone(client), forwardedFor: claimed)).StatusCode);
        }

        Assert.That(answers, Is.EqualTo(new[] { HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests }));
    }

    [TestCase("127.0.0.1")]
    [TestCase("127.0.0.0/8")]
    public async Task Otp_XForwardedFor_NamesTheClient_WhenATrustedProxySendsIt(string trustedProxy)
    {
        using var factory = new HealthCodeFactory(settings: new()
        {
            ["HealthCode:Otp:PerAddress:Limit"] = "2",
            ["HealthCode:Network:TrustedProxies:0"] = trustedProxy,
        });
        var client = factory.CreateClient();

        foreach (var claimed in new[] { "198.51.100.1", "198.51.100.2", "198.51.100.3" })
        {
            await SendAsync(client, NewPhone(client), forwardedFor: claimed);
        }

        await SendAsync(client, NewPhone(client), forwardedFor: "198.51.100.1");
        var third = await RefusalAsync(await RequestOtpAsync(client, NewPhone(client), forwardedFor: "198.51.100.1"));
        // One IPv6 subscriber holds a whole /64: its addresses share one budget.
        await SendAsync(client, NewPhone(client), forwardedFor: "2001:db8:0:1::1");
        await SendAsync(client, NewPhone(client), forwardedFor: "2001:db8:0:1::2");
        var sameSlash64 = await RefusalAsync(await RequestOtpAsync(client, NewPhone(client), forwardedFor: "2001:db8:0:1:ffff::3"));

        Assert.Multiple(() =>
        {
            Assert.That(third.Code, Is.EqualTo("otp_rate_limited_address"));
            Assert.That(sameSlash64.Code, Is.EqualTo("otp_rate_limited_address"));
        });
    }

    [Test]
    public async Task Otp_TheBodyCannotNameTheClientAddress()
    {
        using var factory = new HealthCodeFactory();
        var client = factory.CreateClient();

        var response = await client.PostAsJsonAsync("/api/v1/auth/otp", new { phone = NewPhone(client), from = "198.51.100.1" });

        var problem = await AssertAsync(response, HttpStatusCode.BadRequest, "unknown_field");
        Assert.That(problem["errors"]![0]!["field"]!.GetValue<string>(), Is.EqualTo("from"));
    }

    [Test]
    public async Task Otp_AnswerSaysWhenTheNextCodeMayBeAskedFor_TheIntervalTheServiceEnforces()
    {
        // Not the default 30 s, so the answer cannot be a constant that happens to match.
        using var factory = new HealthCodeFactory(settings: new() { ["HealthCode:Otp:ResendInterval"] = "00:00:45" });
        var client = factory.CreateClient();
        var phone = NewPhone(client);

        using var first = await RequestOtpAsync(client, phone);
        var resendAfter = JsonNode.Parse(await first.Content.ReadAsStringAsync())!["resendAfterSeconds"]!.GetValue<int>();
        factory.Time.Advance(TimeSpan.FromSeconds(resendAfter - 1));
        var oneSecondEarly = await RefusalAsync(await RequestOtpAsync(client, phone));
        factory.Time.Advance(TimeSpan.FromSeconds(1));
        using var onTime = await RequestOtpAsync(client, phone);

        Assert.Multiple(() =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(resendAfter, Is.EqualTo(45));
            Assert.That(oneSecondEarly, Is.EqualTo(("otp_too_frequent", (TimeSpan?)TimeSpan.FromSeconds(1))));
            Assert.That(onTime.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), "the page's timer ends when the service accepts again");
        });
    }

    [Test]
    public async Task Otp_OnePhone_GetsOneCodeA30Seconds_5AnHour_And10ADay()
    {
        using var factory = new HealthCodeFactory();
        var client = factory.CreateClient();
        var phone = NewPhone(client);
        var resend = Defaults.ResendInterval;

        await SendAsync(client, phone);
        var tooSoon = await RefusalAsync(await RequestOtpAsync(client, phone));
        for (var i = 1; i < Defaults.PerPhoneHourly.Limit; i++)
        {
            factory.Time.Advance(resend);
            await SendAsync(client, phone);
        }

        factory.Time.Advance(resend);
        var hourSpent = await RefusalAsync(await RequestOtpAsync(client, phone));

        // An hour after the first, the hour has room again; the day fills up at 10.
        factory.Time.Advance(Defaults.PerPhoneHourly.Window - (resend * Defaults.PerPhoneHourly.Limit));
        for (var i = 0; i < Defaults.PerPhoneDaily.Limit - Defaults.PerPhoneHourly.Limit; i++)
        {
            await SendAsync(client, phone);
            factory.Time.Advance(resend);
        }

        factory.Time.Advance(Defaults.PerPhoneHourly.Window);
        var daySpent = await RefusalAsync(await RequestOtpAsync(client, phone));

        Assert.Multiple(() =>
        {
            Assert.That(tooSoon, Is.EqualTo(("otp_too_frequent", (TimeSpan?)resend)));
            Assert.That(hourSpent.Code, Is.EqualTo("otp_rate_limited_phone"));
            Assert.That(hourSpent.RetryAfter, Is.EqualTo(Defaults.PerPhoneHourly.Window - (resend * Defaults.PerPhoneHourly.Limit)));
            Assert.That(daySpent.Code, Is.EqualTo("otp_rate_limited_phone"));
            Assert.That(daySpent.RetryAfter, Is.GreaterThan(TimeSpan.FromHours(20)).And.LessThanOrEqualTo(Defaults.PerPhoneDaily.Window));
        });
    }

    [Test]
    public async Task Otp_GlobalBudget_RefusesEveryPhone_AndUsesUpNoneOfTheirs()
    {
        using var factory = new HealthCodeFactory(settings: new()
        {
            ["HealthCode:Otp:Global:Limit"] = "3",
            ["HealthCode:Otp:Global:Window"] = "00:01:00",
            ["HealthCode:Otp:PerPhoneHourly:Limit"] = "1",
        });
        var client = factory.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            await SendAsync(client, NewPhone(client));
        }

        var phone = NewPhone(client);
        var refused = await RefusalAsync(await RequestOtpAsync(client, phone));
        factory.Time.Advance(TimeSpan.FromMinutes(1));
        // The refused request handed back the phone's permits: its one code an hour is still there.
        var later = await RequestOtpAsync(client, phone);

        Assert.Multiple(() =>
        {
            Assert.That(refused, Is.EqualTo(("otp_rate_limited_global", (TimeSpan?)TimeSpan.FromMinutes(1))));
            Assert.That(later.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        });
    }

    [Test]
    public async Task Login_WrongGuessesAcrossResentCodes_AreCapped_EvenForTheRightCode_UntilTheWindowPasses()
    {
        using var factory = new HealthCodeFactory();
        var client = factory.CreateClient();
        var phone = NewPhone(client);
        var budget = Defaults.WrongGuesses.Limit;
        Assume.That(budget, Is.GreaterThan(Defaults.MaxAttempts), "the budget spans more than one code");

        // Every code the phone is sent gets its full share of wrong tries, until the budget is spent.
        var firstGuessAt = factory.Time.GetUtcNow();
        var guessed = 0;
        do
        {
            var code = await SendAsync(client, phone);
            for (var i = 0; i < Defaults.MaxAttempts && guessed < budget; i++, guessed++)
            {
                await AssertAsync(await LoginAsync(client, phone, WrongCode(code)), HttpStatusCode.Unauthorized, "otp_invalid");
            }

            factory.Time.Advance(Defaults.ResendInterval);
        }
        while (guessed < budget);

        // A new code does not reset it: its right code is refused too.
        var fresh = await SendAsync(client, phone);
        var spentAt = factory.Time.GetUtcNow();
        var spent = await LoginAsync(client, phone, fresh);
        await AssertAsync(spent, HttpStatusCode.TooManyRequests, "otp_rate_limited_guesses");

        // Until the first wrong guesses leave the window; then the right code logs in.
        factory.Time.Advance(firstGuessAt + Defaults.WrongGuesses.Window - TimeSpan.FromSeconds(1) - factory.Time.GetUtcNow());
        var newest = await SendAsync(client, phone);
        var justBefore = await RefusalAsync(await LoginAsync(client, phone, newest));
        factory.Time.Advance(TimeSpan.FromSeconds(1));
        var login = await LoginAsync(client, phone, newest);

        Assert.Multiple(() =>
        {
            Assert.That(spent.Headers.RetryAfter?.Delta, Is.EqualTo(firstGuessAt + Defaults.WrongGuesses.Window - spentAt));
            Assert.That(justBefore, Is.EqualTo(("otp_rate_limited_guesses", (TimeSpan?)TimeSpan.FromSeconds(1))));
            Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Login_OnlyWrongGuessesCount_NotTriesWithoutACode_NorRightCodes()
    {
        using var factory = new HealthCodeFactory(settings: new() { ["HealthCode:Otp:WrongGuesses:Limit"] = "2" });
        var client = factory.CreateClient();
        var phone = NewPhone(client);

        for (var i = 0; i < 3; i++)
        {
            await AssertAsync(await LoginAsync(client, phone, "123456"), HttpStatusCode.Unauthorized, "otp_invalid");
        }

        for (var i = 0; i < 3; i++)
        {
            var code = await SendAsync(client, phone);
            Assert.That((await LoginAsync(client, phone, code)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            factory.Time.Advance(Defaults.ResendInterval);
        }
    }

    [Test]
    public async Task Login_TheRightCode_LogsInOnce_EvenSentManyTimesAtOnce()
    {
        using var factory = new HealthCodeFactory();
        var client = factory.CreateClient();
        var phone = NewPhone(client);
        var code = await SendAsync(client, phone);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => LoginAsync(client, phone, code)));

        Assert.That(answers.Count(a => a.StatusCode == HttpStatusCode.OK), Is.EqualTo(1));
        Assert.That(answers.Where(a => a.StatusCode != HttpStatusCode.OK).Select(a => a.StatusCode), Has.All.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task ExpiredCodes_AndIdleLimitPartitions_ArePurgedFromMemory()
    {
        using var factory = new HealthCodeFactory();
        var client = factory.CreateClient();
        var codes = factory.Services.GetRequiredService<OneTimeCodes>();
        var limiter = (InProcessSlidingWindowLimiter)factory.Services.GetRequiredService<ISlidingWindowLimiter>();
        var phones = Enumerable.Range(0, 20).Select(_ => NewPhone(client)).ToList();
        var sent = new List<string>();
        foreach (var phone in phones)
        {
            sent.Add(await SendAsync(client, phone));
        }

        await LoginAsync(client, phones[0], WrongCode(sent[0]));
        var (codesHeld, partitionsHeld) = (codes.Count, limiter.PartitionCount);

        factory.Time.Advance(Defaults.Lifetime + OneTimeCodes.PurgeInterval);
        var codesAfterLifetime = codes.Count;
        factory.Time.Advance(Defaults.PerPhoneDaily.Window + InProcessSlidingWindowLimiter.PurgeInterval);

        Assert.Multiple(() =>
        {
            Assert.That(codesHeld, Is.EqualTo(phones.Count));
            // Per phone: resend, hour, day; per address, overall, and the wrong guess.
            Assert.That(partitionsHeld, Is.EqualTo((phones.Count * 3) + 3));
            Assert.That(codesAfterLifetime, Is.Zero);
            Assert.That(limiter.PartitionCount, Is.Zero);
        });
    }

    private static string NewPhone(HttpClient client) => new ResidentClient(client).Phone;

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string WrongCode(string code) => ((int.Parse(code, CultureInfo.InvariantCulture) + 1) % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);

    private static Task<HttpResponseMessage> RequestOtpAsync(HttpClient client, string phone, string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/otp") { Content = JsonContent.Create(new { phone }) };
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return client.SendAsync(request);
    }

    /// <summary>Asks for a code that must be sent; returns it (Development answers it as devCode).</summary>
    private static async Task<string> SendAsync(HttpClient client, string phone, string? forwardedFor = null)
    {
        using var response = await RequestOtpAsync(client, phone, forwardedFor);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), text);
        return JsonNode.Parse(text)!["devCode"]!.GetValue<string>();
    }

    private static Task<HttpResponseMessage> LoginAsync(HttpClient client, string phone, string code) =>
        client.PostAsJsonAsync("/api/v1/auth/login", new { phone, code });

    /// <summary>A 429 problem's code and Retry-After.</summary>
    private static async Task<(string? Code, TimeSpan? RetryAfter)> RefusalAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), text);
        return (JsonNode.Parse(text)?["code"]?.GetValue<string>(), response.Headers.RetryAfter?.Delta);
    }
}
