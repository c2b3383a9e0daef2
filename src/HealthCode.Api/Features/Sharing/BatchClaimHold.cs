namespace HealthCode.Api.Features.Sharing;

/// <summary>
/// Keeps this instance's claim on a batch (<see cref="Infrastructure.Store.IBatchStore.ClaimAsync"/>) renewed while it
/// receives or applies the batch: every third of the lease, on a timer of its own, so that no long step (checking a
/// million names, committing the facts, finding whom to re-score) lets the claim lapse while the instance is alive and
/// well, and another instance take the batch up beside it. Should a renewal find the claim taken all the same (the
/// instance stalled past the lease), <see cref="Token"/> is cancelled and the work stops: the other instance has it.
/// </summary>
internal sealed class BatchClaimHold : IAsyncDisposable
{
    private readonly CancellationTokenSource stop;
    private readonly Task renewing;

    public BatchClaimHold(Func<CancellationToken, Task<bool>> claim, TimeSpan every, TimeProvider time, CancellationToken cancellationToken)
    {
        stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        renewing = RenewAsync(claim, every, time);
    }

    /// <summary>Cancelled when the claim is lost, or when the caller's token is.</summary>
    public CancellationToken Token => stop.Token;

    /// <summary>True once a renewal found another instance holding the batch.</summary>
    public bool Lost { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await renewing;
        stop.Dispose();
    }

    private async Task RenewAsync(Func<CancellationToken, Task<bool>> claim, TimeSpan every, TimeProvider time)
    {
        using var timer = new PeriodicTimer(every, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                bool held;
                try
                {
                    held = await claim(stop.Token);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The store did not answer: try again at the next tick; the lease lapses only if it stays away.
                    continue;
                }

                if (!held)
                {
                    Lost = true;
                    await stop.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Done with the batch, or stopping.
        }
    }
}
