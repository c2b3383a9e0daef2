using System.Text.RegularExpressions;
using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.RateLimiting;

namespace HealthCode.Api.Features.Federation;

/// <summary>
/// <c>POST /.well-known/healthcode/list-changed {iss}</c> (DESIGN §11): a partner, the hub or a member says its signed
/// list changed. Unauthenticated on purpose: the hint only moves the next fetch forward, and what that fetch brings is
/// verified as every fetched list is (signature by the pinned or vouched root, no rollback, not expired), so a forged
/// hint can cost a conditional GET and nothing else.
/// </summary>
internal sealed record ReceiveListChanged(string? Iss) : ICommand<Result<ListChangedAccepted>>;

/// <param name="Iss">Whose list will be fetched.</param>
/// <param name="Fetch"><c>scheduled</c>: a fetch was scheduled for this hint; <c>coalesced</c>: one already scheduled covers it.</param>
internal sealed record ListChangedAccepted(string Iss, string Fetch);

internal sealed partial class ReceiveListChangedValidator : IValidator<ReceiveListChanged>
{
    public IReadOnlyList<FieldError> Validate(ReceiveListChanged message) => message.Iss is { } iss && (iss == ProvinceListChangedReceiver.Hub || ProvinceCode().IsMatch(iss))
        ? []
        : [new FieldError("iss", "iss_invalid", "Name whose list changed: a 6-digit province code such as 410000, or hub for the federation list.")];

    [GeneratedRegex(@"^\d{2}0000$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex ProvinceCode();
}

/// <summary>
/// Known issuers only (404 <c>unknown_issuer</c>), then the overall limit (429
/// <c>list_changed_rate_limited</c> with Retry-After), then per issuer the coalescing of <see cref="HintedFetches"/>:
/// 202 at once, the fetch in the background.
/// </summary>
internal sealed class ReceiveListChangedHandler(
    IListChangedReceiver receiver, HintedFetches fetches, ISlidingWindowLimiter limiter, ListChangedMetrics metrics, IOptions<HealthCodeOptions> options)
    : ICommandHandler<ReceiveListChanged, Result<ListChangedAccepted>>
{
    private const string Everyone = "all";

    public async ValueTask<Result<ListChangedAccepted>> Handle(ReceiveListChanged command, CancellationToken cancellationToken)
    {
        var iss = command.Iss!;
        if (!receiver.Knows(iss))
        {
            metrics.Received("unknown_issuer");
            return ApiProblem.NotFound("unknown_issuer", "No partner, hub or member by this code here: its hints are not taken.");
        }

        var overall = options.Value.Federation.ListChanged.Overall;
        var permit = await limiter.TryAcquireAsync(new SlidingWindow("list-changed", overall.Limit, overall.Window), Everyone, cancellationToken);
        if (!permit.Granted)
        {
            metrics.Received("rate_limited");
            return ApiProblem.TooManyRequests("list_changed_rate_limited", "Too many list-changed hints.", permit.RetryAfter);
        }

        var scheduled = fetches.Schedule(iss, ct => receiver.FetchAsync(iss, ct));
        metrics.Received(scheduled ? "scheduled" : "coalesced");
        return new ListChangedAccepted(iss, scheduled ? "scheduled" : "coalesced");
    }
}

internal static class ReceiveListChangedEndpoint
{
    public static void MapReceiveListChanged(this IEndpointRouteBuilder app) => app
        .MapPost(ListChangedSender.Path, async Task<Results<Accepted<ListChangedAccepted>, ProblemHttpResult>> (
            JsonBody<ReceiveListChanged> body, IMediator mediator, HttpContext http, CancellationToken ct) =>
            body.Problem is { } invalid
                ? invalid.ToResult()
                : await mediator.Send(body.Value!, ct).Answer(http.Response, accepted => TypedResults.Accepted((string?)null, accepted)))
        .WithTags("Federation")
        .Accepts<ReceiveListChanged>("application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .WithName("ListChanged")
        .WithSummary("A partner's, member's or the hub's signed list changed: fetch it now")
        .WithDescription(
            "A hint (DESIGN §11), unauthenticated: {iss} names whose list changed, a province code or hub. Answered 202 at once " +
            "{iss, fetch: scheduled|coalesced}; the list is then fetched and verified exactly as at a poll, so a hint never carries " +
            "trust. At most one fetch per issuer per HealthCode:Federation:ListChanged:FetchInterval (2 s) across the instances; " +
            "hints in between are coalesced into the next fetch. An issuer not known here: 404 unknown_issuer. Beyond " +
            "HealthCode:Federation:ListChanged:Overall (100 in 10 s): 429 list_changed_rate_limited with Retry-After in seconds. " +
            "In hub mode a member's hint is relayed to the other members once the hub fetched a newer list of that member.");
}
