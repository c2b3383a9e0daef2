using System.Collections.Concurrent;
using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Federation;

namespace HealthCode.Api.Features.Federation;

/// <summary>
/// Turns received hints into fetches, at most one per issuer per <see cref="ListChangedOptions.FetchInterval"/>
/// across the instances of this province, and never fewer than needed: a hint that arrives while a fetch is
/// scheduled is coalesced into it, and one that arrives after a fetch started schedules the next, after the interval.
/// So a flood of hints costs a fetch per interval, and the last hint of a burst is still followed by a fetch that
/// starts after it (it may announce a change the earlier fetch did not see).
/// </summary>
/// <remarks>
/// Coalesced rather than refused with 429: a hint carries one bit ("look again"), and the fetch already scheduled
/// delivers exactly that; a 429 would only make the sender try again. The instances of one province take turns through
/// a lease in the shared cache (<see cref="ITrustListCache.TryLeaseAsync"/>, Redis when configured) held for the
/// interval, so a burst spread over several instances by the load balancer still makes one fetch per interval; the one
/// that fetches shares the list through the cache, and the others re-verify it from there (DESIGN §4.5). Each instance
/// also keeps the interval itself, so that without Redis (every lease granted) the fetches stay spaced.
/// </remarks>
internal sealed partial class HintedFetches(
    ITrustListCache cache, ListChangedMetrics metrics, IOptions<HealthCodeOptions> options, TimeProvider time, ILogger<HintedFetches> logger)
{
    /// <summary>The longest one hinted fetch may take; the fetcher's own timeouts are shorter.</summary>
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, byte> scheduled = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> lastStarted = new(StringComparer.Ordinal);

    /// <summary>Schedules <paramref name="fetch"/> for <paramref name="iss"/>; false when it was coalesced into one already scheduled.</summary>
    public bool Schedule(string iss, Func<CancellationToken, Task> fetch)
    {
        if (!scheduled.TryAdd(iss, 0))
        {
            return false;
        }

        _ = Task.Run(() => RunAsync(iss, fetch), CancellationToken.None);
        return true;
    }

    private async Task RunAsync(string iss, Func<CancellationToken, Task> fetch)
    {
        var interval = options.Value.Federation.ListChanged.FetchInterval;
        var unscheduled = false;
        try
        {
            if (lastStarted.TryGetValue(iss, out var last) && interval - time.GetElapsedTime(last) is var rest && rest > TimeSpan.Zero)
            {
                await Task.Delay(rest, time);
            }

            // Bounded: whoever holds the lease holds it for one interval, so a few intervals' worth of tries is enough;
            // past that the hint is given up (logged) and polling brings the change.
            var step = TimeSpan.FromTicks(Math.Max(interval.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks));
            for (var attempt = 0; attempt < 16; attempt++)
            {
                var lease = await cache.TryLeaseAsync("hint:" + iss, interval);
                if (lease is null)
                {
                    await Task.Delay(step, time);
                    continue;
                }

                var started = time.GetTimestamp();
                lastStarted[iss] = started;
                // From now on a new hint schedules another fetch: it may announce a change made after this one began.
                scheduled.TryRemove(iss, out _);
                unscheduled = true;
                metrics.Fetched();
                try
                {
                    using var deadline = new CancellationTokenSource(FetchTimeout, time);
                    await fetch(deadline.Token);
                }
                finally
                {
                    _ = HoldThenReleaseAsync(lease, interval - time.GetElapsedTime(started));
                }

                return;
            }

            LogGaveUp(logger, iss);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A hint is best effort: the background refresher fetches this list at its next round anyway.
            LogFailed(logger, iss, e);
        }
        finally
        {
            if (!unscheduled)
            {
                scheduled.TryRemove(iss, out _);
            }
        }
    }

    /// <summary>Keeps the lease for the rest of the interval (Redis would expire it then anyway; the in-process cache would not).</summary>
    private async Task HoldThenReleaseAsync(IAsyncDisposable lease, TimeSpan rest)
    {
        if (rest > TimeSpan.Zero)
        {
            await Task.Delay(rest, time);
        }

        await lease.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hinted fetch of {Iss}'s list given up: another fetch kept the lease; the next poll brings any change")]
    private static partial void LogGaveUp(ILogger logger, string iss);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hinted fetch of {Iss}'s list failed; the next poll tries again")]
    private static partial void LogFailed(ILogger logger, string iss, Exception exception);
}
