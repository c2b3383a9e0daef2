using System.Diagnostics;

namespace HealthCode.Integration.Federation;

/// <summary>Bounded waits for something another process does in its own time.</summary>
internal static class Poll
{
    /// <summary>Checks <paramref name="condition"/> every 200 ms; fails the test with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"not within {timeout.TotalSeconds} s: {what}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>As <see cref="UntilAsync(Func{Task{bool}}, TimeSpan, string)"/>, for a condition that needs no call.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what);
}
