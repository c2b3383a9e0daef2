namespace HealthCode.Api.Infrastructure.Mediation;

/// <summary>
/// Logs each use case by its type name, outcome and duration. Message contents are never
/// logged: they hold names, ID numbers and phone numbers.
/// </summary>
internal sealed partial class LoggingBehavior<TMessage, TResponse>(ILogger<LoggingBehavior<TMessage, TResponse>> logger, TimeProvider time)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var response = await next(message, cancellationToken);
        var elapsed = time.GetElapsedTime(started);
        if (response is IHasProblem { Problem: { } problem })
        {
            LogRefused(logger, typeof(TMessage).Name, problem.Code, elapsed.TotalMilliseconds);
        }
        else
        {
            // Debug, not Information: a checkpoint scans thousands of codes a minute.
            LogHandled(logger, typeof(TMessage).Name, elapsed.TotalMilliseconds);
        }

        return response;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Message} handled in {ElapsedMs:F1} ms")]
    private static partial void LogHandled(ILogger logger, string message, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Message} refused: {Code} in {ElapsedMs:F1} ms")]
    private static partial void LogRefused(ILogger logger, string message, string code, double elapsedMs);
}

/// <summary>A response that may carry an expected failure.</summary>
internal interface IHasProblem
{
    ApiProblem? Problem { get; }
}
