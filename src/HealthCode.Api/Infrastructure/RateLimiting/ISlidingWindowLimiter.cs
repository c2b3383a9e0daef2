namespace HealthCode.Api.Infrastructure.RateLimiting;

/// <summary>
/// A limit: at most <paramref name="Limit"/> permits in any span of <paramref name="Window"/>. Sliding, not a
/// fixed clock window, so no twice-the-limit burst at a window's edge.
/// </summary>
/// <param name="Name">Keeps this limit's partitions apart from another's (<c>otp-address</c>, <c>otp-phone-hour</c>).</param>
internal sealed record SlidingWindow(string Name, int Limit, TimeSpan Window);

/// <summary>A permit taken, to hand back (<see cref="ISlidingWindowLimiter.ReleaseAsync"/>) when what it was taken for did not happen.</summary>
/// <param name="Key">The limit's name and the partition.</param>
/// <param name="Id">What the implementation needs to find this permit again (the in-process one: when it was taken).</param>
internal sealed record RatePermit(string Key, long Id);

/// <summary>
/// A permit, or, when the limit is reached, how long until the oldest permit in the window leaves it; or, when the
/// shared store of the windows cannot be reached, <see cref="Unavailable"/>: nothing could be counted, so nothing is granted.
/// </summary>
internal readonly record struct RateDecision(RatePermit? Permit, TimeSpan RetryAfter, bool Unavailable = false)
{
    /// <summary>How long a client is asked to wait when the windows cannot be reached (Redis reconnects within seconds).</summary>
    public static readonly TimeSpan UnavailableRetryAfter = TimeSpan.FromSeconds(5);

    public bool Granted => Permit is not null;

    /// <summary>The stable code of the 503 answered when a limit could not be counted.</summary>
    public const string UnavailableCode = "rate_limit_unavailable";

    /// <summary>Refused because the windows could not be read (fail closed): a limit nobody can count is not a limit.</summary>
    public static RateDecision NotCounted => new(null, UnavailableRetryAfter, Unavailable: true);

    /// <summary>
    /// How a refusal is answered: the limit's 429 with <paramref name="code"/>, or, when it could not be counted, a 503
    /// <see cref="UnavailableCode"/>; both with <c>Retry-After</c>.
    /// </summary>
    public ApiProblem Refusal(string code, string title) => Unavailable
        ? new ApiProblem(StatusCodes.Status503ServiceUnavailable, UnavailableCode, "The service cannot count its limits right now.", "Try again in a few seconds.")
        {
            RetryAfter = RetryAfter,
        }
        : ApiProblem.TooManyRequests(code, title, RetryAfter);
}

/// <summary>
/// Sliding-window limits over partitions (a client address, a phone, the whole service). The default keeps the
/// windows in process (<see cref="InProcessSlidingWindowLimiter"/>); several instances behind one address
/// (DESIGN §11: "rate limits ... hold across instances") replace it with one that keeps them in Redis: a sorted
/// set per partition, trimmed, counted and added to in one script, with a TTL of the window. Partitions are
/// handed over as given: a shared store should key phones by the blind index (DESIGN §11), not the number.
/// </summary>
internal interface ISlidingWindowLimiter
{
    /// <summary>
    /// Takes a permit when fewer than <see cref="SlidingWindow.Limit"/> were taken in the last <see cref="SlidingWindow.Window"/>;
    /// never throws for a shared store that is down (<see cref="RateDecision.NotCounted"/>).
    /// </summary>
    ValueTask<RateDecision> TryAcquireAsync(SlidingWindow limit, string partition, CancellationToken cancellationToken);

    /// <summary>
    /// Hands a permit back: it no longer counts (a later limit refused the request, or a guess was not a guess). With the
    /// shared store down the permit stays counted until it leaves its window: the stricter way to be wrong.
    /// </summary>
    ValueTask ReleaseAsync(RatePermit permit, CancellationToken cancellationToken);
}
