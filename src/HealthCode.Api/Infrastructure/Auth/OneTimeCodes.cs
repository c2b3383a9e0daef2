using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace HealthCode.Api.Infrastructure.Auth;

/// <summary>
/// Issues and checks SMS one-time codes, held in process (the embedded default): a code lives a few
/// minutes, dies after a few wrong tries, and logs in once. How often codes may be sent, and how many
/// wrong guesses a phone gets across its codes, is <c>OtpLimits</c>' business. Expired codes are purged
/// every minute, so codes nobody used do not stay in memory.
/// </summary>
internal sealed class OneTimeCodes : IDisposable
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

    public enum CheckOutcome
    {
        Accepted,
        Invalid,
        Expired,
        TooManyAttempts,

        /// <summary>No code was sent to this phone, or it was used: nothing was compared.</summary>
        NoCode,
    }

    /// <summary>Codes held in memory (for tests of the purge).</summary>
    internal int Count => entries.Count;

    /// <summary>A new code for the phone; it replaces the one sent before.</summary>
    public (string Code, DateTimeOffset ExpiresAt) Issue(string phone)
    {
        var now = time.GetUtcNow();
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        var entry = new Entry(Secrets.Hash(code), now + settings.Lifetime);
        entries[phone] = entry;
        return (code, entry.ExpiresAt);
    }

    public CheckOutcome Check(string phone, string code)
    {
        if (!entries.TryGetValue(phone, out var entry))
        {
            return CheckOutcome.NoCode;
        }

        if (time.GetUtcNow() >= entry.ExpiresAt)
        {
            entries.TryRemove(new KeyValuePair<string, Entry>(phone, entry));
            return CheckOutcome.Expired;
        }

        if (Interlocked.Increment(ref entry.Attempts) > settings.MaxAttempts)
        {
            return CheckOutcome.TooManyAttempts;
        }

        var match = CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(entry.CodeHash),
            System.Text.Encoding.ASCII.GetBytes(Secrets.Hash(code)));
        if (!match)
        {
            return CheckOutcome.Invalid;
        }

        // A code logs in once: of two requests with the right code at the same time, only the one that
        // removes it does.
        return entries.TryRemove(new KeyValuePair<string, Entry>(phone, entry)) ? CheckOutcome.Accepted : CheckOutcome.NoCode;
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
