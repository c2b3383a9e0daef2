using System.Collections.Concurrent;

namespace HealthCode.Api.Infrastructure.RateLimiting;

/// <summary>
/// <see cref="ISlidingWindowLimiter"/> for one instance: per partition, the times of the permits still in the
/// window (a sliding log, exact: a partition holds at most its limit of them). Partitions with nothing left
/// in their window are purged every minute, so a flood of addresses or phones does not stay in memory.
/// </summary>
/// <remarks>
/// Not System.Threading.RateLimiting's <c>SlidingWindowRateLimiter</c> in a <c>PartitionedRateLimiter</c>:
/// those read the Stopwatch, not a <see cref="TimeProvider"/> (dotnet/runtime#106447, open), so windows of an
/// hour or a day could not be tested without waiting them out (STYLE §5); their refused lease carries no
/// Retry-After; a permit cannot be handed back; and idle partitions are dropped on a timer of their own.
/// </remarks>
internal sealed class InProcessSlidingWindowLimiter : ISlidingWindowLimiter, IDisposable
{
    /// <summary>How often partitions that have emptied are dropped.</summary>
    public static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Log> logs = new(StringComparer.Ordinal);
    private readonly TimeProvider time;
    private readonly ITimer purge;

    public InProcessSlidingWindowLimiter(TimeProvider time)
    {
        this.time = time;
        purge = time.CreateTimer(_ => Purge(), null, PurgeInterval, PurgeInterval);
    }

    /// <summary>Partitions held in memory (for tests of the purge).</summary>
    internal int PartitionCount => logs.Count;

    public ValueTask<RateDecision> TryAcquireAsync(SlidingWindow limit, string partition, CancellationToken cancellationToken)
    {
        var key = limit.Name + ":" + partition;
        while (true)
        {
            var log = logs.GetOrAdd(key, static (_, l) => new Log(l.Limit, l.Window), limit);
            lock (log)
            {
                // The purge dropped this log between the look-up and the lock: take the one that replaces it.
                if (!log.Dropped)
                {
                    return ValueTask.FromResult(log.TryAcquire(key, time));
                }
            }
        }
    }

    public ValueTask ReleaseAsync(RatePermit permit, CancellationToken cancellationToken)
    {
        if (logs.TryGetValue(permit.Key, out var log))
        {
            lock (log)
            {
                log.Release(permit.Id);
            }
        }

        return ValueTask.CompletedTask;
    }

    public void Dispose() => purge.Dispose();

    private void Purge()
    {
        foreach (var (key, log) in logs)
        {
            lock (log)
            {
                if (log.IsIdle(time))
                {
                    log.Dropped = true;
                    logs.TryRemove(new KeyValuePair<string, Log>(key, log));
                }
            }
        }
    }

    /// <summary>The timestamps (<see cref="TimeProvider.GetTimestamp"/>) of the permits in one partition's window, oldest first. Locked by the caller.</summary>
    private sealed class Log(int limit, TimeSpan window)
    {
        private readonly Queue<long> taken = new();

        public bool Dropped { get; set; }

        public RateDecision TryAcquire(string key, TimeProvider time)
        {
            var now = Expire(time);
            if (taken.Count < limit)
            {
                taken.Enqueue(now);
                return new RateDecision(new RatePermit(key, now), TimeSpan.Zero);
            }

            return new RateDecision(null, window - time.GetElapsedTime(taken.Peek(), now));
        }

        public void Release(long at)
        {
            // The newest permit of that time: it was taken moments ago. Gone already when it left the window.
            var kept = taken.ToArray();
            var index = Array.LastIndexOf(kept, at);
            if (index < 0)
            {
                return;
            }

            taken.Clear();
            for (var i = 0; i < kept.Length; i++)
            {
                if (i != index)
                {
                    taken.Enqueue(kept[i]);
                }
            }
        }

        public bool IsIdle(TimeProvider time)
        {
            Expire(time);
            return taken.Count == 0;
        }

        /// <summary>Drops the permits that have left the window; returns now.</summary>
        private long Expire(TimeProvider time)
        {
            var now = time.GetTimestamp();
            while (taken.Count > 0 && time.GetElapsedTime(taken.Peek(), now) >= window)
            {
                taken.Dequeue();
            }

            return now;
        }
    }
}
