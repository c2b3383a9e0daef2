namespace HealthCode.Api.Infrastructure;

/// <summary>
/// Background work that runs every period on the service's clock (<see cref="TimeProvider"/>, so a test drives it with
/// a fake one), each run in a scope of its own. A run that fails is logged, and the next period tries again: a store
/// that does not answer (PostgreSQL down, <see cref="Store.StoreUnavailable"/>) in one line, for it is expected to
/// pass and scans go on meanwhile; anything else with its exception. No failure stops the service.
/// </summary>
internal sealed partial class PeriodicWork(
    string name, TimeSpan period, Func<IServiceProvider, CancellationToken, Task> work, IServiceScopeFactory scopes, TimeProvider time, ILogger<PeriodicWork> logger)
    : BackgroundService
{
    /// <summary>Runs <paramref name="work"/> every <paramref name="period"/> once the host has started; <paramref name="name"/> names it in logs.</summary>
    public static void Add(IServiceCollection services, string name, TimeSpan period, Func<IServiceProvider, CancellationToken, Task> work) =>
        Add(services, name, _ => period, work);

    /// <summary>As <see cref="Add(IServiceCollection, string, TimeSpan, Func{IServiceProvider, CancellationToken, Task})"/>, with a period read from the services (a setting).</summary>
    public static void Add(IServiceCollection services, string name, Func<IServiceProvider, TimeSpan> period, Func<IServiceProvider, CancellationToken, Task> work) =>
        // Not AddHostedService: it keeps one hosted service per implementation type, and every piece of work is a PeriodicWork.
        services.AddSingleton<IHostedService>(sp => new PeriodicWork(
            name, period(sp), work, sp.GetRequiredService<IServiceScopeFactory>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PeriodicWork>>()));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await work(scope.ServiceProvider, stoppingToken);
            }
            catch (Exception e) when (Store.StoreUnavailable.Is(e))
            {
                LogStoreUnavailable(logger, name, e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e, name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Work} failed; it runs again at its next period")]
    private static partial void LogFailed(ILogger logger, Exception exception, string work);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Work} did not run, the store does not answer: {Error}; it runs again at its next period")]
    private static partial void LogStoreUnavailable(ILogger logger, string work, string error);
}
