using System.Text.Json.Serialization;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Infrastructure.Auth;

namespace HealthCode.Api.Features.Disputes;

/// <summary>The fact a dispute names: the catalogue entry (its name, kind and providing department) and the batch.</summary>
internal sealed record DisputedFact(string Source, string SourceName, string BatchId, string? Kind, string? Provider);

/// <summary>
/// A dispute as residents and operators read it: the person masked (name, ID tail), the fact, the resident's reason,
/// the state and its times. <c>Note</c> is a rejection's answer. Operators also see <c>ResolvedBy</c> (the operator who
/// answered, or the department whose batch retracted or replaced the row) and <c>OverrideId</c>; residents do not: no
/// operator's name reaches the resident's page.
/// </summary>
internal sealed record DisputeView(
    string DisputeId,
    string PersonId,
    string MaskedName,
    string IdTail,
    DisputedFact Fact,
    string Reason,
    string State,
    DateTimeOffset FiledAt,
    DateTimeOffset? ResolvedAt,
    string? Note)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ResolvedBy { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? OverrideId { get; init; }

    public static DisputeView ForResident(DisputeRecord d) => new(
        d.Id,
        d.PersonId,
        IdNumber.MaskName(d.FullName),
        IdNumber.Tail(d.IdNumber),
        new DisputedFact(d.Source, d.SourceName, d.BatchId, d.Kind, d.Provider),
        d.Reason,
        d.State,
        d.FiledAt,
        d.ResolvedAt,
        d.Note);

    public static DisputeView ForOperator(DisputeRecord d) => ForResident(d) with { ResolvedBy = d.ResolvedBy, OverrideId = d.OverrideId };
}

/// <summary>Who may handle a source's disputes: health operators, and the department that provides it.</summary>
internal static class DisputeAccess
{
    /// <summary>True when <paramref name="user"/> is a health operator or the operator of <paramref name="provider"/>.</summary>
    public static bool MayHandle(System.Security.Claims.ClaimsPrincipal user, string? provider) =>
        user.HasRole(OperatorRoles.Health) || (provider is not null && user.IsDepartment(provider));

    /// <summary>The refusal of an operator who may not handle a dispute of <paramref name="provider"/>'s data.</summary>
    public static ApiProblem Refused(string? provider) =>
        provider is null ? OperatorPolicies.RoleRequired(OperatorRoles.Health) : OperatorPolicies.RoleRequired(OperatorRoles.Health, OperatorRoles.Department(provider));
}

/// <summary>The refusals of the dispute endpoints, each with a stable code and what to do.</summary>
internal static class DisputeProblems
{
    public static readonly ApiProblem FactNotFound = ApiProblem.NotFound(
        "fact_not_found",
        "This person has no fact of that source and batch: it may have been retracted or replaced already, or it is not about them (a designation of a risk area is about a region, not a person).") with
    {
        Detail = "Dispute a reason of this person's code that names its source; reload the code to see the facts it shows now.",
    };

    public static readonly ApiProblem NotFound = ApiProblem.NotFound("dispute_not_found", "There is no dispute with this id.");

    public static ApiProblem Closed(string state) => new(
        StatusCodes.Status409Conflict, "dispute_closed", $"The dispute is {state} already: only an open dispute is answered.", "Reload the queue.")
    {
        Extensions = new Dictionary<string, object?> { ["state"] = state },
    };
}
