using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace HealthCode.Api.Infrastructure.Auth;

/// <summary>
/// Issues and checks SMS one-time codes, held in process (the embedded default): a code lives a
/// few minutes, may be resent only after an interval, and dies after a few wrong tries.
/// </summary>
internal sealed class OneTimeCodes(IOptions<HealthCodeOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly OtpOptions settings = options.Value.Otp;

    public enum CheckOutcome
    {
        Accepted,
        Invalid,
        Expired,
        TooManyAttempts,
    }

    /// <summary>A new code for the phone, or null when the last one was sent too recently.</summary>
    public (string Code, DateTimeOffset ExpiresAt)? Issue(string phone)
    {
        var now = time.GetUtcNow();
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        var fresh = new Entry(Secrets.Hash(code), now, now + settings.Lifetime);
        var stored = entries.AddOrUpdate(
            phone,
            fresh,
            (_, old) => now - old.SentAt < settings.ResendInterval ? old : fresh);
        return ReferenceEquals(stored, fresh) ? (code, fresh.ExpiresAt) : null;
    }

    public CheckOutcome Check(string phone, string code)
    {
        if (!entries.TryGetValue(phone, out var entry))
        {
            return CheckOutcome.Invalid;
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

        // A code logs in once.
        entries.TryRemove(new KeyValuePair<string, Entry>(phone, entry));
        return CheckOutcome.Accepted;
    }

    private sealed class Entry(string codeHash, DateTimeOffset sentAt, DateTimeOffset expiresAt)
    {
        public int Attempts;

        public string CodeHash { get; } = codeHash;

        public DateTimeOffset SentAt { get; } = sentAt;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;
    }
}
