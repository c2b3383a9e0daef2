using System.Text.Json;
using HealthCode.Api.Features.Federation;
using HealthCode.Api.Features.Partners;
using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Federation;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Hub;

/// <summary><c>POST /api/v1/admin/hub/members {iss, name, trustListUrl, rootKey, status?}</c> (hub mode): admit or update a member province.</summary>
internal sealed record UpsertHubMember(string? Iss, string? Name, string? TrustListUrl, JsonElement? RootKey, string? Status) : ICommand<Result<HubMemberView>>;

internal sealed record HubMemberView(string Iss, string Name, Uri TrustListUrl, string Status, long FederationSeq);

internal sealed class UpsertHubMemberValidator(IOptions<HealthCodeOptions> options) : IValidator<UpsertHubMember>
{
    private readonly RegisterPartnerValidator partner = new(options);

    public IReadOnlyList<FieldError> Validate(UpsertHubMember message)
    {
        var errors = partner.Validate(new RegisterPartner(message.Iss, message.Name, message.TrustListUrl, message.RootKey)).ToList();
        if (message.Status is not (null or "active" or "suspended"))
        {
            errors.Add(new FieldError("status", "status_invalid", "Use active or suspended."));
        }

        return errors;
    }
}

internal sealed class UpsertHubMemberHandler(IHubMemberStore members, FederationPublisher publisher, TimeProvider time)
    : ICommandHandler<UpsertHubMember, Result<HubMemberView>>
{
    public async ValueTask<Result<HubMemberView>> Handle(UpsertHubMember command, CancellationToken cancellationToken)
    {
        using var root = RegisterPartnerValidator.ReadRoot(command.RootKey)!;
        var record = new HubMemberRecord(command.Iss!, command.Name!.Trim(), new Uri(command.TrustListUrl!), root.ToPublicJwk(), command.Status ?? "active", time.GetUtcNow());
        await members.UpsertAsync(record, cancellationToken);
        await publisher.EnsureCurrentAsync(cancellationToken);
        return new HubMemberView(record.Issuer, record.Name, record.TrustListUrl, record.Status, publisher.Current?.Seq ?? 0);
    }
}

/// <summary><c>GET /api/v1/admin/hub/members</c>.</summary>
internal sealed record ListHubMembers : IQuery<Result<IReadOnlyList<HubMemberView>>>;

internal sealed class ListHubMembersHandler(IHubMemberStore members, FederationPublisher publisher) : IQueryHandler<ListHubMembers, Result<IReadOnlyList<HubMemberView>>>
{
    public async ValueTask<Result<IReadOnlyList<HubMemberView>>> Handle(ListHubMembers query, CancellationToken cancellationToken) =>
        Result<IReadOnlyList<HubMemberView>>.From([.. (await members.ListAsync(cancellationToken))
            .Select(m => new HubMemberView(m.Issuer, m.Name, m.TrustListUrl, m.Status, publisher.Current?.Seq ?? 0))]);
}

/// <summary><c>DELETE /api/v1/admin/hub/members/{iss}</c>: the member leaves the next federation list.</summary>
internal sealed record RemoveHubMember(string Iss) : ICommand<Result<string>>;

internal sealed class RemoveHubMemberHandler(IHubMemberStore members, FederationPublisher publisher) : ICommandHandler<RemoveHubMember, Result<string>>
{
    public async ValueTask<Result<string>> Handle(RemoveHubMember command, CancellationToken cancellationToken)
    {
        if (!await members.RemoveAsync(command.Iss, cancellationToken))
        {
            return ApiProblem.NotFound("member_not_found", "There is no member with this code.");
        }

        await publisher.EnsureCurrentAsync(cancellationToken);
        return command.Iss;
    }
}

internal static class HubEndpoints
{
    public static void MapFederationList(this IEndpointRouteBuilder app) => app
        .MapGet("/.well-known/healthcode/federation", Results<ContentHttpResult, StatusCodeHttpResult, ProblemHttpResult> (HttpContext context, FederationPublisher publisher, HubMetrics metrics) =>
        {
            var answer = TrustListEndpoint.Serve(context, publisher.Current);
            metrics.Served(answer.Result is IStatusCodeHttpResult { StatusCode: { } status } ? status : StatusCodes.Status200OK);
            return answer;
        })
        .WithTags("Federation")
        .Produces(StatusCodes.Status200OK, contentType: TrustListEndpoint.MediaType)
        .Produces(StatusCodes.Status304NotModified)
        .WithName("GetFederationList")
        .WithSummary("The hub's signed list of member provinces (hub mode)")
        .WithDescription("A compact JWS (typ hc-federation+jwt) signed by the hub's anchor key: each member's code, name, root public key, trust-list URL and status.");

    public static void MapHubMembers(this RouteGroupBuilder group)
    {
        group.MapPost("/hub/members", async Task<Results<Ok<HubMemberView>, ProblemHttpResult>> (JsonBody<UpsertHubMember> body, IMediator mediator, CancellationToken ct) =>
                body.Problem is { } invalid ? invalid.ToResult() : await mediator.Send(body.Value!, ct).Answer(TypedResults.Ok))
            .Accepts<UpsertHubMember>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .WithName("UpsertHubMember")
            .WithSummary("Admit or update a member province (hub mode)");
        group.MapGet("/hub/members", (IMediator mediator, CancellationToken ct) => mediator.Send(new ListHubMembers(), ct).Answer(TypedResults.Ok))
            .WithName("ListHubMembers")
            .WithSummary("The federation's members (hub mode)");
        group.MapDelete("/hub/members/{iss}", (string iss, IMediator mediator, CancellationToken ct) =>
                mediator.Send(new RemoveHubMember(iss), ct).Answer(_ => TypedResults.NoContent()))
            .WithName("RemoveHubMember")
            .WithSummary("Remove a member province (hub mode)");
    }
}
