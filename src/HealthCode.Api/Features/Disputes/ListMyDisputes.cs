using HealthCode.Api.Features.Codes;
using HealthCode.Api.Features.Identity;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Disputes;

/// <summary>
/// <c>GET /api/v1/me/disputes[?personId=]</c> (DESIGN §10): the disputes of the account's holder and family members (or
/// of the one <c>personId</c> names), newest first, each with its state; never anyone else's. A dispute whose fact the
/// department has retracted or replaced since is closed as <c>retracted</c> before it is shown.
/// </summary>
internal sealed record ListMyDisputes(string ResidentId, string? PersonId) : IQuery<Result<IReadOnlyList<DisputeView>>>;

internal sealed class ListMyDisputesHandler(AccountPersons account, IPersonStore persons, IDisputeStore disputes)
    : IQueryHandler<ListMyDisputes, Result<IReadOnlyList<DisputeView>>>
{
    public async ValueTask<Result<IReadOnlyList<DisputeView>>> Handle(ListMyDisputes query, CancellationToken cancellationToken)
    {
        List<string> personIds;
        if (query.PersonId is not null)
        {
            var found = await account.FindAsync(query.ResidentId, query.PersonId, CodeProblems.NoDeclaration, cancellationToken);
            if (found.Problem is { } problem)
            {
                return problem;
            }

            personIds = [found.Value!.Id];
        }
        else
        {
            var holder = await persons.FindHolderAsync(query.ResidentId, cancellationToken);
            var dependants = await persons.ListDependantsAsync(query.ResidentId, cancellationToken);
            personIds = [.. holder is null ? [] : new[] { holder.Id }, .. dependants.Select(d => d.Person.Id)];
        }

        if (personIds.Count == 0)
        {
            return Result<IReadOnlyList<DisputeView>>.From([]);
        }

        return Result<IReadOnlyList<DisputeView>>.From([.. (await disputes.ForPersonsAsync(personIds, cancellationToken)).Select(DisputeView.ForResident)]);
    }
}

internal static class ListMyDisputesEndpoint
{
    public static void MapListMyDisputes(this RouteGroupBuilder group) => group
        .MapGet("/me/disputes", (string? personId, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            // What a resident wrote about their family's records: never kept by a cache on the way.
            context.Response.Headers.CacheControl = "no-store";
            return mediator.Send(new ListMyDisputes(context.User.ResidentId(), personId), ct).Answer(TypedResults.Ok);
        })
        .RequireAuthorization(ResidentSessionAuthentication.SchemeName)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithName("ListMyDisputes")
        .WithSummary("The disputes of the account's holder and family members")
        .WithDescription("Newest first: disputeId, personId, the person masked (maskedName, idTail), the fact {source, sourceName, batchId, kind, provider}, the reason given, state (open, retracted, overridden, rejected), filedAt, resolvedAt and note (a rejection's answer). personId narrows it to one person of this account (404 person_not_found for anyone else).");
}
