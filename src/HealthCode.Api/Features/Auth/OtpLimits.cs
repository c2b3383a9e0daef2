using System.Net;
using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Privacy;
using HealthCode.Api.Infrastructure.RateLimiting;

namespace HealthCode.Api.Features.Auth;

/// <summary>
/// The limits on one-time codes (issue 9: one address had 388,724 codes sent in 140 s, and each new code
/// reset the guess lockout), each a sliding window of <see cref="OtpOptions"/> kept by the
/// <see cref="ISlidingWindowLimiter"/>, so that with a shared one they hold across instances (DESIGN §11).
/// A refusal is a 429 problem with a stable code and <c>Retry-After</c>; a limit that could not be counted (the shared
/// limiter's Redis is down) is a 503 <c>rate_limit_unavailable</c> with <c>Retry-After</c>, never a pass. A phone's
/// partition is its blind index (DESIGN §11), never the number: a plain hash in a shared Redis is reversed by trying
/// every phone number.
/// </summary>
internal sealed class OtpLimits(ISlidingWindowLimiter limiter, BlindIndex index, IOptions<HealthCodeOptions> options)
{
    public const string AddressLimited = "otp_rate_limited_address";
    public const string TooFrequent = "otp_too_frequent";
    public const string PhoneLimited = "otp_rate_limited_phone";
    public const string GlobalLimited = "otp_rate_limited_global";
    public const string GuessesLimited = "otp_rate_limited_guesses";

    private const string Everyone = "all";

    private readonly SlidingWindow perAddress = Limit("otp-address", options.Value.Otp.PerAddress);
    private readonly SlidingWindow wrongGuesses = Limit("otp-guesses", options.Value.Otp.WrongGuesses);

    /// <summary>After the address, in this order; per phone unless <c>Overall</c>.</summary>
    private readonly (SlidingWindow Limit, bool Overall, string Code, string Title)[] sendLimits =
    [
        (new("otp-resend", 1, options.Value.Otp.ResendInterval), false, TooFrequent, "A code was sent to this phone moments ago."),
        (Limit("otp-phone-hour", options.Value.Otp.PerPhoneHourly), false, PhoneLimited, "Too many codes were sent to this phone."),
        (Limit("otp-phone-day", options.Value.Otp.PerPhoneDaily), false, PhoneLimited, "Too many codes were sent to this phone."),
        (Limit("otp-global", options.Value.Otp.Global), true, GlobalLimited, "The service is sending too many codes right now."),
    ];

    /// <summary>
    /// Takes what sending a code to <paramref name="phone"/> for <paramref name="from"/> needs, or answers why not.
    /// The address is counted first and keeps every request it made, refused or not: it is the asker's own
    /// budget. Then the phone's and the service's, which a refused request hands back, so that a flood from one
    /// address, or the service's limit, uses up nobody else's phone.
    /// </summary>
    public async ValueTask<ApiProblem?> TrySendAsync(IPAddress? from, string phone, CancellationToken cancellationToken)
    {
        var address = await limiter.TryAcquireAsync(perAddress, ClientAddress.Partition(from), cancellationToken);
        if (!address.Granted)
        {
            return address.Refusal(AddressLimited, "Too many codes were asked for from this network.");
        }

        var partition = index.Compute(PrivacyField.Phone, phone);
        var taken = new List<RatePermit>(sendLimits.Length);
        foreach (var (limit, overall, code, title) in sendLimits)
        {
            var decision = await limiter.TryAcquireAsync(limit, overall ? Everyone : partition, cancellationToken);
            if (!decision.Granted)
            {
                foreach (var permit in taken)
                {
                    await limiter.ReleaseAsync(permit, cancellationToken);
                }

                return decision.Refusal(code, title);
            }

            taken.Add(decision.Permit!);
        }

        return null;
    }

    /// <summary>
    /// A wrong-guess permit for <paramref name="phone"/>, taken before the code is compared (so parallel guesses
    /// cannot overrun the budget), or the refusal once the budget is spent: then even the right code is refused,
    /// and a new code does not help, until the window passes.
    /// </summary>
    public async ValueTask<Result<RatePermit>> TryGuessAsync(string phone, CancellationToken cancellationToken)
    {
        var guess = await limiter.TryAcquireAsync(wrongGuesses, index.Compute(PrivacyField.Phone, phone), cancellationToken);
        return guess.Granted
            ? guess.Permit!
            : guess.Refusal(GuessesLimited, "Too many wrong codes were tried for this phone.");
    }

    /// <summary>Hands back a guess permit when the code was right, or no code was compared: only wrong guesses count.</summary>
    public ValueTask NotAWrongGuessAsync(RatePermit permit, CancellationToken cancellationToken) =>
        limiter.ReleaseAsync(permit, cancellationToken);

    private static SlidingWindow Limit(string name, SlidingLimitOptions limit) => new(name, limit.Limit, limit.Window);
}
