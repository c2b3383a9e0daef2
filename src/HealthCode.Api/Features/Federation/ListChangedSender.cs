using HealthCode.Api.Infrastructure;
using System.Net.Http.Json;

namespace HealthCode.Api.Features.Federation;

/// <summary>
/// Posts the list-changed hint (DESIGN §11: <c>POST /.well-known/healthcode/list-changed {iss}</c>) to the services
/// that hold one of our signed lists, so that they fetch it now rather than at their next poll. Each post runs in the
/// background: the change that caused it (a key revoked, a member admitted) never waits on a partner. Its client
/// (registered in <see cref="ListChangedModule"/>) tries each post a few times within a bounded time, honouring a
/// receiver's <c>Retry-After</c>; a hint that still fails is logged and left to the receiver's polling.
/// </summary>
internal sealed partial class ListChangedSender(
    IHttpClientFactory clients, ListChangedMetrics metrics, IOptions<HealthCodeOptions> options, ILogger<ListChangedSender> logger)
{
    public const string HttpClientName = "list-changed";

    public const string Path = "/.well-known/healthcode/list-changed";

    /// <summary>
    /// Tells every service behind <paramref name="listUrls"/> (one hint per origin) that <paramref name="iss"/>'s
    /// list changed. The hint goes to the origin of each URL, where the receiver's endpoint lives beside its lists.
    /// </summary>
    public void Send(string iss, IEnumerable<Uri> listUrls)
    {
        if (!options.Value.Federation.ListChanged.Send)
        {
            return;
        }

        foreach (var origin in listUrls.Select(u => new Uri(u.GetLeftPart(UriPartial.Authority))).Distinct())
        {
            _ = Task.Run(() => PostAsync(iss, origin), CancellationToken.None);
        }
    }

    private async Task PostAsync(string iss, Uri origin)
    {
        try
        {
            using var content = JsonContent.Create(new ListChangedHint(iss));
            using var response = await clients.CreateClient(HttpClientName).PostAsync(new Uri(origin, Path), content, CancellationToken.None);
            if (response.IsSuccessStatusCode)
            {
                metrics.Sent("delivered");
                LogSent(logger, iss, origin.Authority);
            }
            else
            {
                metrics.Sent("refused");
                LogRefused(logger, iss, origin.Authority, (int)response.StatusCode);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException
            or Polly.Timeout.TimeoutRejectedException)
        {
            // The receiver polls anyway: a lost hint only delays the change to its next round.
            metrics.Sent("failed");
            LogFailed(logger, iss, origin.Authority, e is HttpRequestException ? "unreachable" : "timed out");
        }
    }

    // Province codes and host names only: a hint carries no personal data, and neither does its log line.
    [LoggerMessage(Level = LogLevel.Information, Message = "List-changed hint for {Iss} delivered to {Host}")]
    private static partial void LogSent(ILogger logger, string iss, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "List-changed hint for {Iss} refused by {Host} (HTTP {Status}); it will see the change at its next poll")]
    private static partial void LogRefused(ILogger logger, string iss, string host, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "List-changed hint for {Iss} not delivered to {Host} ({Reason}); it will see the change at its next poll")]
    private static partial void LogFailed(ILogger logger, string iss, string host, string reason);
}

/// <summary>The hint's body: whose list changed (a province code, or <c>hub</c> for the federation list).</summary>
internal sealed record ListChangedHint(string Iss);
