namespace HealthCode.Api.Infrastructure.Auth;

/// <summary>Sends one-time codes by SMS. A province plugs in its gateway here.</summary>
internal interface ISmsSender
{
    Task SendOneTimeCodeAsync(string phone, string code, CancellationToken cancellationToken);
}

/// <summary>
/// The sender used when no gateway is configured: no SMS gateway can be reached from here, so it
/// only records that a code was sent, with the phone masked and the code itself left out. In
/// Development the code reaches the caller as <c>devCode</c> instead.
/// </summary>
internal sealed partial class LoggingSmsSender(ILogger<LoggingSmsSender> logger) : ISmsSender
{
    public Task SendOneTimeCodeAsync(string phone, string code, CancellationToken cancellationToken)
    {
        var maskedPhone = Secrets.MaskPhone(phone);
        LogSent(logger, maskedPhone);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "One-time code sent to {MaskedPhone} (no SMS gateway configured)")]
    private static partial void LogSent(ILogger logger, string maskedPhone);
}
