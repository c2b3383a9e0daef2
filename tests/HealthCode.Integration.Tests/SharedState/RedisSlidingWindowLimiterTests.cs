using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.RateLimiting;
using HealthCode.Integration.Federation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace HealthCode.Integration.SharedState;

/// <summary>
/// <see cref="RedisSlidingWindowLimiter"/> against a real redis-server: two limiters on two connections stand for two
/// instances of one province. Time is a <see cref="FakeTimeProvider"/> each, moved together, so windows are exact.
/// </summary>
[TestFixture]
public sealed class RedisSlidingWindowLimiterTests
{
    private static readonly SlidingWindow PerPhone = new("test-phone", 3, TimeSpan.FromMinutes(10));

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

    [Test]
    public async Task Acquire_GrantsTheLimit_ThenRefusesUntilTheOldestPermitLeavesTheWindow()
    {
        var limiter = Limiter(_connectionA);
        var phone = NewPartition();
        await AcquireAsync(limiter, phone);
        _time.Advance(TimeSpan.FromMinutes(4));
        await AcquireAsync(limiter, phone);
        await AcquireAsync(limiter, phone);

        var refused = await limiter.TryAcquireAsync(PerPhone, phone, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(refused.Granted, Is.False);
            Assert.That(refused.Unavailable, Is.False);
            Assert.That(refused.RetryAfter, Is.EqualTo(TimeSpan.FromMinutes(6)), "until the first permit, taken 4 minutes ago, leaves the 10-minute window");
        });

        _time.Advance(TimeSpan.FromMinutes(6) - TimeSpan.FromMilliseconds(1));
        Assert.That((await limiter.TryAcquireAsync(PerPhone, phone, CancellationToken.None)).RetryAfter, Is.EqualTo(TimeSpan.FromMilliseconds(1)));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await AcquireAsync(limiter, phone);
        Assert.That((await limiter.TryAcquireAsync(PerPhone, phone, CancellationToken.None)).RetryAfter, Is.EqualTo(TimeSpan.FromMinutes(4)),
            "sliding: the next to leave is the second permit, taken at minute 4");
    }

    [Test]
    public async Task TwoInstances_CountOnePartition_Together()
    {
        var atA = Limiter(_connectionA);
        var atB = Limiter(_connectionB);
        var phone = NewPartition();
        await AcquireAsync(atA, phone);
        await AcquireAsync(atB, phone);
        await AcquireAsync(atA, phone);

        var fourthAtB = await atB.TryAcquireAsync(PerPhone, phone, CancellationToken.None);
        var fourthAtA = await atA.TryAcquireAsync(PerPhone, phone, CancellationToken.None);
        var otherPhone = await atB.TryAcquireAsync(PerPhone, NewPartition(), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(fourthAtB.Granted, Is.False, "B counts A's two permits");
            Assert.That(fourthAtA.Granted, Is.False, "A counts B's permit");
            Assert.That(otherPhone.Granted, Is.True, "another phone has its own window");
        });
    }

    [Test]
    public async Task Provinces_SharingOneRedis_DoNotShareWindows()
    {
        var zhejiang = Limiter(_connectionA, "330000");
        var henan = Limiter(_connectionB, "410000");
        var phone = NewPartition();
        for (var i = 0; i < PerPhone.Limit; i++)
        {
            await AcquireAsync(zhejiang, phone);
        }

        Assert.That((await henan.TryAcquireAsync(PerPhone, phone, CancellationToken.None)).Granted, Is.True);
    }

    [Test]
    public async Task Release_HandsThePermitBack_ToEveryInstance()
    {
        var atA = Limiter(_connectionA);
        var atB = Limiter(_connectionB);
        var phone = NewPartition();
        await AcquireAsync(atA, phone);
        await AcquireAsync(atA, phone);
        var third = await AcquireAsync(atA, phone);
        Assert.That((await atB.TryAcquireAsync(PerPhone, phone, CancellationToken.None)).Granted, Is.False);

        await atA.ReleaseAsync(third, CancellationToken.None);
        var atBAfterRelease = await atB.TryAcquireAsync(PerPhone, phone, CancellationToken.None);
        var atAAfterThat = await atA.TryAcquireAsync(PerPhone, phone, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(atBAfterRelease.Granted, Is.True, "the released permit no longer counts at B");
            Assert.That(atAAfterThat.Granted, Is.False, "B took the place it left");
        });
    }

    /// <summary>Many requests at once from two connections: the script trims, counts and adds as one step, so exactly the limit is granted.</summary>
    [Test]
    public async Task ParallelAcquires_FromTwoInstances_NeverOverrunTheLimit()
    {
        var limit = new SlidingWindow("test-parallel", 10, TimeSpan.FromMinutes(1));
        var limiters = new[] { Limiter(_connectionA), Limiter(_connectionB) };
        var phone = NewPartition();
        var decisions = await Task.WhenAll(Enumerable.Range(0, 60)
            .Select(i => limiters[i % 2].TryAcquireAsync(limit, phone, CancellationToken.None).AsTask()));

        Assert.That(decisions.Count(d => d.Granted), Is.EqualTo(10));
    }

    [Test]
    public async Task Keys_HoldNoPhoneNumber_AndExpireWithTheirWindow()
    {
        var phone = "139" + Random.Shared.Next(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await AcquireAsync(Limiter(_connectionA), phone);

        var server = _connectionA.GetServer(_connectionA.GetEndPoints()[0]);
        var keys = server.Keys(pattern: "healthcode:330000:limit:test-phone:*").Select(k => (string)k!).ToList();
        var ttls = await Task.WhenAll(keys.Select(k => _connectionA.GetDatabase().KeyTimeToLiveAsync(k)));
        Assert.Multiple(() =>
        {
            Assert.That(keys, Is.Not.Empty);
            Assert.That(keys, Has.None.Contains(phone));
            Assert.That(ttls, Has.All.Not.Null, "a partition leaves Redis by itself");
            Assert.That(ttls.Select(t => t.GetValueOrDefault()), Has.All.LessThanOrEqualTo(PerPhone.Window), "a window after its newest permit");
        });
    }

    /// <summary>Redis down: refused as <see cref="RateDecision.Unavailable"/> (fail closed), never granted; counted again once it is back.</summary>
    [Test]
    public async Task RedisDown_RefusesAsUnavailable_AndCountsAgainOnceBack()
    {
        var limiter = Limiter(_connectionA);
        var phone = NewPartition();
        await AcquireAsync(limiter, phone);
        await _redis.StopAsync();
        RateDecision whileDown;
        try
        {
            whileDown = await limiter.TryAcquireAsync(PerPhone, phone, CancellationToken.None);
            await limiter.ReleaseAsync(new RatePermit("healthcode:330000:limit:test-phone:x", 1), CancellationToken.None);
        }
        finally
        {
            await _redis.StartAgainAsync(TestContext.CurrentContext.CancellationToken);
        }

        Assert.Multiple(() =>
        {
            Assert.That(whileDown.Granted, Is.False);
            Assert.That(whileDown.Unavailable, Is.True);
            Assert.That(whileDown.RetryAfter, Is.GreaterThan(TimeSpan.Zero));
        });

        await Poll.UntilAsync(
            async () => (await limiter.TryAcquireAsync(PerPhone, phone, CancellationToken.None)).Granted,
            TimeSpan.FromSeconds(30),
            "the limiter grants again once Redis is back (a new, empty Redis)");
    }

    private static string NewPartition() => Guid.NewGuid().ToString("N");

    private RedisSlidingWindowLimiter Limiter(IConnectionMultiplexer connection, string province = "330000") => new(
        connection,
        Options.Create(new HealthCodeOptions { Province = { Code = province, Name = "test" } }),
        _time,
        NullLogger<RedisSlidingWindowLimiter>.Instance);

    private static async Task<RatePermit> AcquireAsync(RedisSlidingWindowLimiter limiter, string partition)
    {
        var decision = await limiter.TryAcquireAsync(PerPhone, partition, CancellationToken.None);
        Assert.That(decision.Granted, Is.True, $"a permit ({decision})");
        return decision.Permit!;
    }
}
