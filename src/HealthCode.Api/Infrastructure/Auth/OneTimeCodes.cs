using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace HealthCode.Api.Infrastructure.Auth;

/// <summary>What checking a one-time code found. The numbers are what <see cref="RedisOneTimeCodes"/>' script answers.</summary>
internal enum OneTimeCodeOutcome
{
    Accepted = 0,
    Invalid = 1,
    Expired = 2,
    TooManyAttempts = 3,

    /// <summary>No code was sent to this phone, or it was used: nothing was compared.</summary>
    NoCode = 4,

    /// <summary>The shared store of codes (Redis) could not be reached: nothing was compared, nothing used.</summary>
    Unavailable = 5,
}

/// <summary>A code sent: the code itself (for the SMS) and when it stops working.</summary>
internal sealed record IssuedCode(string Code, DateTimeOffset ExpiresAt);

/// <summary>
/// SMS one-time codes: a code lives a few minutes, dies after a few wrong tries, and logs in once. In process
/// (<see cref="OneTimeCodes"/>) by default; in Redis (<see cref="RedisOneTimeCodes"/>) when several instances of
/// a province share one (DESIGN §11), so that a code sent by one logs in on another.
/// </summary>
internal interface IOneTimeCodes
{
    /// <summary>A new code for the phone, replacing the one sent before; null when the shared store is unavailable.</summary>
    ValueTask<IssuedCode?> IssueAsync(string phone, CancellationToken cancellationToken);

    /// <summary>Compares <paramref name="code"/> with the phone's code and, when it matches, uses it up (once, across instances).</summary>
    ValueTask<OneTimeCodeOutcome> CheckAsync(string phone, string code, CancellationToken cancellationToken);

    /// <summary>Six random digits.</summary>
    static string NewCode() =>
        RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Issues and checks SMS one-time codes, held in process (the embedded default): a code lives a few
/// minutes, dies after a few wrong tries, and logs in once. How often codes may be sent, and how many
/// wrong guesses a phone gets across its codes, is <c>OtpLimits</c>' business. Expired codes are purged
/// every minute, so codes nobody used do not stay in memory.
/// </summary>
internal sealed class OneTimeCodes : IOneTimeCodes, IDisposable
{
    /// <summary>How often expired codes are dropped.</summary>
    public static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly OtpOptions settings;
    private readonly TimeProvider time;
    private readonly ITimer purge;

    public OneTimeCodes(IOptions<HealthCodeOptions> options, TimeProvider time)
    {
        settings = options.Value.Otp;
        this.time = time;
        purge = time.CreateTimer(_ => Purge(), null, PurgeInterval, PurgeInterval);
    }

    /// <summary>Codes held in memory (for tests of the purge).</summary>
    internal int Count => entries.Count;

    /// <summary>A new code for the phone; it replaces the one sent before.</summary>
    public ValueTask<IssuedCode?> IssueAsync(string phone, CancellationToken cancellationToken)
    {
        var code = IOneTimeCodes.NewCode();
        var entry = new Entry(Secrets.Hash(code), time.GetUtcNow() + settings.Lifetime);
        entries[phone] = entry;
        return ValueTask.FromResult<IssuedCode?>(new IssuedCode(code, entry.ExpiresAt));
    }

    public ValueTask<OneTimeCodeOutcome> CheckAsync(string phone, string code, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Check(phone, code));

    private OneTimeCodeOutcome Check(string phone, string code)
    {
        if (!entries.TryGetValue(phone, out var entry))
        {
            return OneTimeCodeOutcome.NoCode;
        }

        if (time.GetUtcNow() >= entry.ExpiresAt)
        {
            entries.TryRemove(new KeyValuePair<string, Entry>(phone, entry));
            return OneTimeCodeOutcome.Expired;
        }

        if (Interlocked.Increment(ref entry.Attempts) > settings.MaxAttempts)
        {
            return OneTimeCodeOutcome.TooManyAttempts;
        }

        var match = CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(entry.CodeHash),
            System.Text.Encoding.ASCII.GetBytes(Secrets.Hash(code)));
        if (!match)
        {
            return OneTimeCodeOutcome.Invalid;
        }

        // A code logs in once: of two requests with the right code at the same time, only the one that
        // removes it does.
        return entries.TryRemove(new KeyValuePair<string, Entry>(phone, entry)) ? OneTimeCodeOutcome.Accepted : OneTimeCodeOutcome.NoCode;
    }

    public void Dispose() => purge.Dispose();

    private void Purge()
    {
        var now = time.GetUtcNow();
        foreach (var (phone, entry) in entries)
        {
            if (now >= entry.ExpiresAt)
            {
                entries.TryRemove(new KeyValuePair<string, Entry>(phone, entry));
            }
        }
    }

    private sealed class Entry(string codeHash, DateTimeOffset expiresAt)
    {
        public int Attempts;

        public string CodeHash { get; } = codeHash;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;
    }
}
