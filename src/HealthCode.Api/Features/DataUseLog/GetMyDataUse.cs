using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Features.Identity;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.DataUseLog;

/// <summary>
/// <c>GET /api/v1/me/data-use[?personId=&amp;cursor=&amp;limit=]</c> (DESIGN §10 "Data-use log"): who used the data of the
/// account's holder, or of one of its family members (<c>personId</c>), or of all of them together
/// (<c>personId=all</c>), and why; newest first, a page at a time. Never anyone else's: a person not on the account is
/// <c>person_not_found</c>, as every resident request about a person (DESIGN §8).
/// </summary>
internal sealed record GetMyDataUse(string ResidentId, string? PersonId, string? Cursor, string? Limit) : IQuery<Result<MyDataUsePage>>;

/// <param name="NextCursor">The <c>cursor</c> of the next (older) page: the seq of this page's last entry; null when nothing follows.</param>
internal sealed record MyDataUsePage(IReadOnlyList<MyDataUseEntry> Entries, long? NextCursor);

/// <param name="Seq">The entry's number in the data-use log, as auditors see it.</param>
/// <param name="Purpose">scoring, identity, prefill, lookup, office_view or dispute (<see cref="DataUsePurposes"/>).</param>
/// <param name="Source">The catalogue entry and batch whose data was used; null for a use of the code alone.</param>
/// <param name="Actor">Who used it, in words.</param>
/// <param name="Person">Whose data it was: the holder or which family member, masked.</param>
internal sealed record MyDataUseEntry(long Seq, DateTimeOffset At, string Purpose, DataUseSource? Source, ActorWords Actor, DataUsePerson Person);

/// <param name="Name">The catalogue entry's name (its code when the entry is gone).</param>
internal sealed record DataUseSource(string Code, string Name, string? BatchId);

/// <param name="Relation"><c>holder</c> or <c>dependant</c>, as in <c>GET /api/v1/me/code</c>.</param>
internal sealed record DataUsePerson(string PersonId, string Relation, string MaskedName, string IdTail);

internal sealed class GetMyDataUseHandler(IPersonStore persons, IDataUseStore dataUse, ICatalogStore catalog) : IQueryHandler<GetMyDataUse, Result<MyDataUsePage>>
{
    /// <summary>The <c>personId</c> of the holder's whole family at once.</summary>
    public const string All = "all";

    public const int DefaultLimit = 20;

    public const int MaxLimit = 100;

    public async ValueTask<Result<MyDataUsePage>> Handle(GetMyDataUse query, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        var cursor = QueryPaging.Cursor(query.Cursor, errors);
        var limit = QueryPaging.Limit(query.Limit, DefaultLimit, MaxLimit, errors);
        if (errors.Count > 0)
        {
            return ApiProblem.Validation(errors);
        }

        var whose = await WhoseAsync(query.ResidentId, query.PersonId, cancellationToken);
        if (whose.Problem is { } notOnAccount)
        {
            return notOnAccount;
        }

        // Keyed by person id: the uses of exactly these persons, and each entry says which of them it was about.
        var people = whose.Value!.ToDictionary(p => p.Id, StringComparer.Ordinal);
        if (people.Count == 0)
        {
            // An account that has not declared yet has nobody whose data could have been used.
            return new MyDataUsePage([], null);
        }

        var slice = LogSlice.Of(await dataUse.ForPersonsAsync(people.Keys, cursor, limit + 1, cancellationToken), limit, e => e.Seq);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var code in slice.Entries.Select(e => e.Use.Source).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            names[code] = (await catalog.FindEntryAsync(code, cancellationToken))?.Name ?? code;
        }

        return new MyDataUsePage(
            [.. slice.Entries.Select(e => new MyDataUseEntry(
                e.Seq,
                e.At,
                e.Use.Purpose,
                e.Use.Source is { } source ? new DataUseSource(source, names[source], e.Use.BatchId) : null,
                DataUseActors.Describe(e.Use.Actor),
                Person(people[e.Use.PersonId])))],
            slice.NextCursor);
    }

    /// <summary>The account's persons the request is about: the holder (none before the first declaration), one family member, or all.</summary>
    private async Task<Result<IReadOnlyList<PersonRecord>>> WhoseAsync(string accountId, string? personId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(personId) || personId == All)
        {
            var holder = await persons.FindHolderAsync(accountId, cancellationToken);
            var family = personId == All ? (await persons.ListDependantsAsync(accountId, cancellationToken)).Select(d => d.Person) : [];
            return Result<IReadOnlyList<PersonRecord>>.From([.. new[] { holder }.OfType<PersonRecord>(), .. family]);
        }

        return await persons.FindOnAccountAsync(accountId, personId, cancellationToken) is { } person
            ? Result<IReadOnlyList<PersonRecord>>.From([person])
            : IdentityProblems.PersonNotFound;
    }

    private static DataUsePerson Person(PersonRecord person) => new(
        person.Id, person.Role == PersonRole.Dependant ? "dependant" : "holder", IdNumber.MaskName(person.FullName), IdNumber.Tail(person.IdNumber));
}

internal static class GetMyDataUseEndpoint
{
    public static void MapGetMyDataUse(this RouteGroupBuilder group) => group
        .MapGet("/me/data-use", (string? personId, string? cursor, string? limit, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            // Who looked at the family's data, with their masked names: never kept by a cache on the way.
            context.Response.Headers.CacheControl = "no-store";
            return mediator.Send(new GetMyDataUse(context.User.ResidentId(), personId, cursor, limit), ct).Answer(TypedResults.Ok);
        })
        .RequireAuthorization(ResidentSessionAuthentication.SchemeName)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithName("GetMyDataUse")
        .WithSummary("Who used my data (or a family member's), and why")
        .WithDescription("The data-use log (DESIGN §10) of the account's holder; personId (from GET /api/v1/me/dependants) selects a family member, personId=all the holder and every family member together; anyone else's is 404 person_not_found. Newest first: entries {seq, at, purpose (scoring, identity, prefill, lookup, office_view, dispute), source {code, name, batchId} or null, actor {kind, zhCn, en}, person {personId, relation, maskedName, idTail}}, and nextCursor, the cursor of the next (older) page, null at the end. limit is 1 to 100 (default 20); a cursor past the end is an empty page. An invalid cursor or limit is a 400 validation_failed naming it (cursor_invalid, limit_invalid, limit_out_of_range).");
}
