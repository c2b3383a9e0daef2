namespace HealthCode.Api.Infrastructure.Federation;

/// <summary>
/// Refreshes partners' lists in the background, at the configured interval with ±20% jitter so
/// that provinces do not all fetch at the same second. A failure never stops the loop.
/// </summary>
internal sealed partial class TrustRefresher(PartnerTrust partners, IEnumerable<IFederationSource> sources, IOptions<HealthCodeOptions> options, TimeProvider time, ILogger<TrustRefresher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await partners.StartAsync(stoppingToken);
        var interval = options.Value.Federation.RefreshInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var source in sources)
                {
                    await source.RefreshAsync(stoppingToken);
                }

                await partners.RefreshAllAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRoundFailed(logger, e);
            }

            var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
            await Task.Delay(interval * jitter, time, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Trust list refresh round failed; the next round will try again")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}

/// <summary>Something that adds partners before each refresh round: the hub's federation list.</summary>
internal interface IFederationSource
{
    Task RefreshAsync(CancellationToken cancellationToken);
}
