using System.Text.Json;
using System.Text.Json.Serialization;
using HealthCode.Api.Features.DataUseLog;
using HealthCode.Api.Features.Identity;
using HealthCode.Api.Features.Sharing;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Declarations;

/// <summary>
/// <c>GET /api/v1/me/declaration/draft[?personId=]</c> (DESIGN §10 "Prefill"): what the service already knows of the
/// declaration of the account's holder (or of one of its family members), each field with where it came from, so that
/// a daily declaration is a few taps and nobody is asked again for what the back office holds (国发〔2016〕51号). The
/// resident still checks and submits every field. Today's temperature and symptoms are never filled in: they are
/// measured anew each day, and yesterday's reading copied forward would hide today's fever.
/// </summary>
internal sealed record GetDeclarationDraft(string ResidentId, string? PersonId) : IQuery<Result<DeclarationDraft>>;

/// <summary>Where a field of a draft came from.</summary>
internal static class DraftOrigins
{
    /// <summary>The person's latest declaration.</summary>
    public const string LastDeclaration = "last_declaration";

    /// <summary>The population register (DESIGN §9 kind <c>population</c>), with its catalogue entry and batch.</summary>
    public const string PopulationRegister = "population_register";

    /// <summary>A lab's test result (kind <c>tests</c>), with its catalogue entry and batch.</summary>
    public const string Lab = "lab";

    /// <summary>The account itself: the phone it logged in with, a family member's name and ID number as the holder entered them.</summary>
    public const string Account = "account";
}

/// <param name="PersonId">Whose draft this is; null for an account with no holder yet (its first declaration binds one).</param>
/// <param name="Relation"><c>holder</c> or <c>dependant</c>; null with <paramref name="PersonId"/>.</param>
/// <param name="LastDeclaredOn">The day of the latest declaration the <c>last_declaration</c> fields come from.</param>
/// <param name="AskedAnew">The fields never filled in, which the resident states each time: <c>temperature</c>, <c>symptoms</c>.</param>
internal sealed record DeclarationDraft(string? PersonId, string? Relation, DateOnly? LastDeclaredOn, DraftFields Fields, IReadOnlyList<string> AskedAnew);

/// <summary>The fields of a declaration (DESIGN §5) the service knows; an unknown one is absent.</summary>
internal sealed record DraftFields
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DraftField<string>? Name { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DraftField<string>? IdNumber { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DraftField<string>? Phone { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DraftField<string>? Region { get; init; }

    /// <summary>The stays of the latest declaration still inside the 14-day window, a stay that began before it starting with it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DraftField<IReadOnlyList<TravelEntry>>? Travel { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DraftField<ContactDeclaration>? Contact { get; init; }

    /// <summary>The most recent test known: a lab's result, or the one last declared when that is more recent.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DraftField<TestDeclaration>? LastTest { get; init; }
}

/// <summary>A known value and its origin (<see cref="DraftOrigins"/>); shared data also names its source and batch.</summary>
internal sealed record DraftField<T>(T Value, string Origin)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FactSource? Source { get; init; }

    /// <summary>The testing institution, for a lab's result.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Lab { get; init; }
}

internal sealed class GetDeclarationDraftHandler(
    AccountPersons persons, IHealthCodeStore store, IFactStore facts, IDraftSources sources, IDataUseStore dataUse, TimeProvider time)
    : IQueryHandler<GetDeclarationDraft, Result<DeclarationDraft>>
{
    /// <summary>The prefill's actor in the data-use log: the resident asked for their own (or their family member's) form.</summary>
    public const string Actor = DataUseActors.Resident;

    private static readonly IReadOnlyList<string> AskedAnew = ["temperature", "symptoms"];

    // Told apart from every other answer by reference: an account before its first declaration has no holder yet.
    private static readonly ApiProblem NoHolderYet = ApiProblem.NotFound("no_holder", "The account has no holder yet.");

    public async ValueTask<Result<DeclarationDraft>> Handle(GetDeclarationDraft query, CancellationToken cancellationToken)
    {
        var found = await persons.FindAsync(query.ResidentId, query.PersonId, NoHolderYet, cancellationToken);
        if (ReferenceEquals(found.Problem, NoHolderYet))
        {
            // A new account knows only its phone: who the holder is, their first declaration says.
            var phone = await sources.AccountPhoneAsync(query.ResidentId, cancellationToken);
            return new DeclarationDraft(null, null, null, new DraftFields { Phone = phone is null ? null : new(phone, DraftOrigins.Account) }, AskedAnew);
        }

        if (found.Problem is { } problem)
        {
            return problem;
        }

        var person = found.Value!;
        var latest = await store.GetLatestDeclarationAsync(person.Id, cancellationToken);
        var last = latest is null ? null : JsonSerializer.Deserialize<Declaration>(latest.PayloadJson, StrictJson.Options);
        // The register's row counts only when it is this person's: the same ID number with the same name.
        var register = await sources.RegisterEntryAsync(person.IdNumber, cancellationToken) is { } entry && entry.Name == person.FullName ? entry : null;
        var labTest = (await facts.ScoringFactsAsync(person.Id, cancellationToken)).Person.Tests.MaxBy(t => t.SampledAt);

        var fields = new DraftFields
        {
            Name = last is not null ? new(person.FullName, DraftOrigins.LastDeclaration)
                : register is not null ? new(register.Name, DraftOrigins.PopulationRegister) { Source = register.Source }
                : new(person.FullName, DraftOrigins.Account),
            IdNumber = new(person.IdNumber, last is null ? DraftOrigins.Account : DraftOrigins.LastDeclaration),
            Phone = last?.Phone is { } declaredPhone ? new(declaredPhone, DraftOrigins.LastDeclaration)
                : person.AccountPhone is { } accountPhone ? new(accountPhone, DraftOrigins.Account)
                : null,
            Region = last?.Region is { } declared && RegionCodes.Exists(declared) ? new(declared, DraftOrigins.LastDeclaration)
                : register is not null && RegionCodes.Exists(register.Region) ? new(register.Region, DraftOrigins.PopulationRegister) { Source = register.Source }
                : null,
            Travel = last?.Travel is { } travel ? new(StaysInWindow(travel, time.Today()), DraftOrigins.LastDeclaration) : null,
            Contact = last?.Contact is { } contact ? new(contact, DraftOrigins.LastDeclaration) : null,
            LastTest = LatestTest(labTest, last?.LastTest),
        };

        // DESIGN §10: a prefill is data use, once per shared source it took a value from, recorded before it is answered.
        FactSource?[] used = [fields.Name?.Source, fields.Region?.Source, fields.LastTest?.Source];
        await dataUse.AppendAsync(
            [.. used.OfType<FactSource>().DistinctBy(s => (s.Code, s.BatchId)).Select(s => new DataUse(person.Id, DataUsePurposes.Prefill, Actor, s.Code, s.BatchId))],
            time.GetUtcNow(),
            cancellationToken);

        return new DeclarationDraft(person.Id, person.Role == PersonRole.Dependant ? "dependant" : "holder", latest?.Day, fields, AskedAnew);
    }

    /// <summary>
    /// The stays still inside the window the validator accepts (DeclarationValidator: the last 14 days): a stay that ended
    /// before it is gone, one that began before it starts with it, as the validator asks of a longer stay.
    /// </summary>
    private static IReadOnlyList<TravelEntry> StaysInWindow(IReadOnlyList<TravelEntry> travel, DateOnly today)
    {
        var windowStart = today.AddDays(-DeclarationValidator.TravelWindowDays);
        return [.. travel.Where(s => s is { To: { } to } && to >= windowStart)
            .Select(s => s.From < windowStart ? s with { From = windowStart } : s)];
    }

    /// <summary>The more recent of a lab's latest result and the test last declared; the lab's when they are as recent.</summary>
    private static DraftField<TestDeclaration>? LatestTest(TestFact? lab, TestDeclaration? declared)
    {
        var fromLab = lab is null ? null : new DraftField<TestDeclaration>(
            new TestDeclaration(lab.Positive ? "positive" : "negative", lab.SampledAt), DraftOrigins.Lab) { Source = lab.Source, Lab = lab.Lab };
        var fromDeclaration = declared is { Result: not null, At: not null } ? new DraftField<TestDeclaration>(declared, DraftOrigins.LastDeclaration) : null;
        return fromLab is not null && fromDeclaration is not null
            ? (fromDeclaration.Value.At > fromLab.Value.At ? fromDeclaration : fromLab)
            : fromLab ?? fromDeclaration;
    }
}

internal static class GetDeclarationDraftEndpoint
{
    public static void MapGetDeclarationDraft(this RouteGroupBuilder group) => group
        .MapGet("/me/declaration/draft", (string? personId, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            // A name, an ID number and a phone: never kept by a cache on the way.
            context.Response.Headers.CacheControl = "no-store";
            return mediator.Send(new GetDeclarationDraft(context.User.ResidentId(), personId), ct).Answer(TypedResults.Ok);
        })
        .RequireAuthorization(ResidentSessionAuthentication.SchemeName)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithName("GetDeclarationDraft")
        .WithSummary("The declaration form, filled in with what the service already knows")
        .WithDescription("""
            DESIGN §10 Prefill. fields: each known field of a declaration as {value, origin}, origin one of
            last_declaration (the person's latest declaration: name, idNumber, phone, region, contact, and the travel still
            inside the 14-day window), population_register (name and region, with source {code, name, batchId}), lab (lastTest
            from the latest lab result, with source and lab) and account (the phone the account logged in with; a family
            member's name and ID number as the holder entered them). An account before its first declaration gets its phone
            only. temperature and symptoms are never filled in (askedAnew): they are measured anew. personId (from GET
            /api/v1/me/dependants) selects a family member; anyone else's is 404 person_not_found. Every shared source a
            value came from is recorded in the person's data-use log (purpose prefill) before the answer. Never cached.
            """);
}
