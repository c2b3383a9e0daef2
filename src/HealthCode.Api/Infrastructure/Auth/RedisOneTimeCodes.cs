using HealthCode.Api.Infrastructure.Privacy;
using HealthCode.Api.Infrastructure.Shared;
using StackExchange.Redis;

namespace HealthCode.Api.Infrastructure.Auth;

/// <summary>
/// One-time codes in Redis, for several instances of one province (DESIGN §11): a hash per phone
/// (<c>healthcode:&lt;province&gt;:otp:&lt;the phone's blind index&gt;</c>: keyed, so a copy of Redis names nobody) with the code's hash, when it expires and the wrong tries
/// it took. The check is one Lua script, which Redis runs alone: of two instances given the right code at the same
/// moment only one uses it up, and the tries count across instances. The key outlives the code by
/// <see cref="OneTimeCodes.PurgeInterval"/>, so a late try is still answered "expired", as in process.
/// </summary>
/// <remarks>
/// Redis down: no code is sent and none is checked (fail closed, <c>otp_unavailable</c>). A code kept by one
/// instance alone would log in only there, and a check without the shared try count would give each instance
/// its own tries. Residents already logged in are not affected (sessions are in the store), nor are scans.
/// The code is kept as its SHA-256 and compared inside Redis; what a timing difference there could reveal is the
/// hash, not the code.
/// </remarks>
internal sealed partial class RedisOneTimeCodes(
    IConnectionMultiplexer redis, BlindIndex index, IOptions<HealthCodeOptions> options, TimeProvider time, ILogger<RedisOneTimeCodes> logger)
    : IOneTimeCodes
{
    // KEYS[1] the phone's code; ARGV: the code's hash, expiry (unix ms), the key's lifetime (ms).
    private const string IssueScript = """
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], 'hash', ARGV[1], 'expires', ARGV[2], 'tries', 0)
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return 1
        """;

    // KEYS[1] the phone's code; ARGV: now (unix ms), the hash of the code given, the tries a code takes.
    // Answers an OneTimeCodeOutcome, in the order the in-process check decides.
    private const string CheckScript = """
        local code = redis.call('HMGET', KEYS[1], 'hash', 'expires')
        if not code[1] then return 4 end
        if tonumber(ARGV[1]) >= tonumber(code[2]) then
            redis.call('DEL', KEYS[1])
            return 2
        end
        if redis.call('HINCRBY', KEYS[1], 'tries', 1) > tonumber(ARGV[3]) then return 3 end
        if code[1] ~= ARGV[2] then return 1 end
        redis.call('DEL', KEYS[1])
        return 0
        """;

    private readonly OtpOptions settings = options.Value.Otp;
    private readonly string prefix = RedisKeys.Prefix(options.Value) + "otp:";

    public async ValueTask<IssuedCode?> IssueAsync(string phone, CancellationToken cancellationToken)
    {
        var code = IOneTimeCodes.NewCode();
        var expiresAt = time.GetUtcNow() + settings.Lifetime;
        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(
                IssueScript,
                [Key(phone)],
                [Secrets.Hash(code), expiresAt.ToUnixTimeMilliseconds(), (long)(settings.Lifetime + OneTimeCodes.PurgeInterval).TotalMilliseconds]);
            return new IssuedCode(code, expiresAt);
        }
        catch (Exception e) when (RedisKeys.IsUnavailable(e))
        {
            LogUnavailable(logger, "issue", e.Message);
            return null;
        }
    }

    public async ValueTask<OneTimeCodeOutcome> CheckAsync(string phone, string code, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = (int)await redis.GetDatabase().ScriptEvaluateAsync(
                CheckScript,
                [Key(phone)],
                [time.GetUtcNow().ToUnixTimeMilliseconds(), Secrets.Hash(code), settings.MaxAttempts]);
            return Enum.IsDefined((OneTimeCodeOutcome)outcome) ? (OneTimeCodeOutcome)outcome : OneTimeCodeOutcome.NoCode;
        }
        catch (Exception e) when (RedisKeys.IsUnavailable(e))
        {
            LogUnavailable(logger, "check", e.Message);
            return OneTimeCodeOutcome.Unavailable;
        }
    }

    private RedisKey Key(string phone) => prefix + index.Compute(PrivacyField.Phone, phone);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unavailable (one-time code {Operation}): {Reason}; refused")]
    private static partial void LogUnavailable(ILogger logger, string operation, string reason);
}
