using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Privacy;
using HealthCode.Integration.Federation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace HealthCode.Integration.SharedState;

/// <summary>
/// <see cref="RedisOneTimeCodes"/> against a real redis-server, two connections standing for two instances: a code
/// is used up once across them, its tries count across them, and it expires on the service's clock.
/// </summary>
[TestFixture]
public sealed class RedisOneTimeCodesTests
{
    private const int MaxAttempts = 3;

    private static readonly BlindIndex Index = new(PrivacyKeyRing.Load(Path.Combine(Tests.RepoRoot.Find(), "keys-sample", "privacy")));

    private RedisServer _redis = null!;
    private ConnectionMultiplexer _connectionA = null!;
    private ConnectionMultiplexer _connectionB = null!;
    private FakeTimeProvider _time = null!;

    [OneTimeSetUp]
    public async Task StartRedisAsync()
    {
        _redis = await RedisServer.StartAsync(TestContext.CurrentContext.CancellationToken);
        _connectionA = await ServiceLikeConnection.ConnectAsync(_redis);
        _connectionB = await ServiceLikeConnection.ConnectAsync(_redis);
    }

    [OneTimeTearDown]
    public async Task StopRedisAsync()
    {
        await _connectionA.DisposeAsync();
        await _connectionB.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [SetUp]
    public void NewClock() => _time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 4, 0, 0, TimeSpan.Zero));

    /// <summary>The right code sent to both instances at once, many times over: exactly one login.</summary>
    [Test]
    public async Task RightCode_AtTwoInstancesAtOnce_IsAcceptedOnce()
    {
        var atA = Codes(_connectionA);
        var atB = Codes(_connectionB);
        var phone = NewPhone();
        var issued = await atA.IssueAsync(phone, CancellationToken.None);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(i => (i % 2 == 0 ? atA : atB).CheckAsync(phone, issued!.Code, CancellationToken.None).AsTask()));

        Assert.Multiple(() =>
        {
            Assert.That(outcomes.Count(o => o == OneTimeCodeOutcome.Accepted), Is.EqualTo(1), string.Join(", ", outcomes));
            Assert.That(outcomes.Where(o => o != OneTimeCodeOutcome.Accepted), Has.All.EqualTo(OneTimeCodeOutcome.NoCode));
        });
    }

    [Test]
    public async Task WrongTries_CountAcrossInstances_ThenEvenTheRightCodeIsRefused()
    {
        var atA = Codes(_connectionA);
        var atB = Codes(_connectionB);
        var phone = NewPhone();
        var issued = await atB.IssueAsync(phone, CancellationToken.None);
        var wrong = issued!.Code == "000000" ? "000001" : "000000";

        var tries = new List<OneTimeCodeOutcome>();
        for (var i = 0; i < MaxAttempts; i++)
        {
            tries.Add(await (i % 2 == 0 ? atA : atB).CheckAsync(phone, wrong, CancellationToken.None));
        }

        var right = await atB.CheckAsync(phone, issued.Code, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(tries, Has.All.EqualTo(OneTimeCodeOutcome.Invalid));
            Assert.That(right, Is.EqualTo(OneTimeCodeOutcome.TooManyAttempts), "A's and B's wrong tries are one count");
        });
    }

    [Test]
    public async Task Code_ExpiresOnTheServiceClock_AndANewCodeReplacesTheOld()
    {
        var atA = Codes(_connectionA);
        var atB = Codes(_connectionB);
        var phone = NewPhone();
        var first = await atA.IssueAsync(phone, CancellationToken.None);
        var second = await atB.IssueAsync(phone, CancellationToken.None);
        var firstAfterSecond = first!.Code == second!.Code ? OneTimeCodeOutcome.Invalid : await atA.CheckAsync(phone, first.Code, CancellationToken.None);

        _time.Advance(TimeSpan.FromMinutes(5));
        var expired = await atA.CheckAsync(phone, second.Code, CancellationToken.None);
        var afterwards = await atB.CheckAsync(phone, second.Code, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(firstAfterSecond, Is.EqualTo(OneTimeCodeOutcome.Invalid), "the code sent by A was replaced by B's");
            Assert.That(second.ExpiresAt, Is.EqualTo(_time.GetUtcNow()));
            Assert.That(expired, Is.EqualTo(OneTimeCodeOutcome.Expired));
            Assert.That(afterwards, Is.EqualTo(OneTimeCodeOutcome.NoCode), "an expired code is gone");
        });
    }

    [Test]
    public async Task RedisDown_NoCodeIsSentOrChecked()
    {
        var codes = Codes(_connectionA);
        var phone = NewPhone();
        var issued = await codes.IssueAsync(phone, CancellationToken.None);
        await _redis.StopAsync();
        IssuedCode? whileDown;
        OneTimeCodeOutcome checkedWhileDown;
        try
        {
            whileDown = await codes.IssueAsync(phone, CancellationToken.None);
            checkedWhileDown = await codes.CheckAsync(phone, issued!.Code, CancellationToken.None);
        }
        finally
        {
            await _redis.StartAgainAsync(TestContext.CurrentContext.CancellationToken);
        }

        Assert.Multiple(() =>
        {
            Assert.That(whileDown, Is.Null);
            Assert.That(checkedWhileDown, Is.EqualTo(OneTimeCodeOutcome.Unavailable));
        });

        // Back without a new connection: the multiplexer reconnects by itself (and the next test finds it connected).
        await Poll.UntilAsync(
            async () => await codes.IssueAsync(phone, CancellationToken.None) is not null && _connectionB.IsConnected,
            TimeSpan.FromSeconds(30),
            "codes are sent again once Redis is back");
    }

    private static string NewPhone() =>
        "138" + Random.Shared.Next(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The Redis key of a phone's code names it by its keyed blind index, never by the number or its plain hash.</summary>
    [Test]
    public async Task APhonesCode_IsKeyedByItsBlindIndex_NotByTheNumberOrItsPlainHash()
    {
        var phone = NewPhone();
        await Codes(_connectionA).IssueAsync(phone, CancellationToken.None);

        var server = _connectionA.GetServer(_connectionA.GetEndPoints()[0]);
        var keys = server.Keys(pattern: "healthcode:330000:otp:*").Select(k => (string)k!).ToList();
        var plainHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(phone)))[..32];
        Assert.Multiple(() =>
        {
            Assert.That(keys, Does.Contain("healthcode:330000:otp:" + Index.Compute(PrivacyField.Phone, phone)));
            Assert.That(keys, Has.None.Contains(phone).And.None.Contains(plainHash));
        });
    }

    private RedisOneTimeCodes Codes(IConnectionMultiplexer connection) => new(
        connection,
        Index,
        Options.Create(new HealthCodeOptions
        {
            Province = { Code = "330000", Name = "test" },
            Otp = { MaxAttempts = MaxAttempts, Lifetime = TimeSpan.FromMinutes(5) },
        }),
        _time,
        NullLogger<RedisOneTimeCodes>.Instance);
}
