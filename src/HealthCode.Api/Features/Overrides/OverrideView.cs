using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Infrastructure.Audit;
using HealthCode.Trust;

namespace HealthCode.Api.Features.Overrides;

/// <summary>The person an override is for, as operators see them: masked, with the ID number's tail.</summary>
internal sealed record OverridePerson(string PersonId, string MaskedName, string IdTail);

/// <summary>
/// An override as health operators read it: what it sets (colour, rule, until, reason, the dispute it answers), its
/// state, and who proposed and who decided it (approved, rejected or withdrew), by operator id and name.
/// </summary>
internal sealed record OverrideView(
    string OverrideId,
    string State,
    OverridePerson Person,
    CodeColor Color,
    string Reason,
    string Rule,
    DateOnly Until,
    string? DisputeId,
    AuditActor ProposedBy,
    DateTimeOffset ProposedAt,
    AuditActor? DecidedBy,
    DateTimeOffset? DecidedAt,
    string? Note)
{
    public static OverrideView From(OverrideRecord o) => new(
        o.Id,
        o.State,
        new OverridePerson(o.PersonId, IdNumber.MaskName(o.FullName), IdNumber.Tail(o.IdNumber)),
        o.Color,
        o.Reason,
        o.Rule,
        o.Until,
        o.DisputeId,
        o.ProposedBy,
        o.ProposedAt,
        o.DecidedBy,
        o.DecidedAt,
        o.Note);
}

/// <summary>The refusals of the override endpoints, each with a stable code and what to do.</summary>
internal static class OverrideProblems
{
    public const string FourEyesRequiredCode = "four_eyes_required";

    public static readonly ApiProblem NotFound = ApiProblem.NotFound("override_not_found", "There is no override with this id.");

    public static readonly ApiProblem PersonUnknown = ApiProblem.NotFound(
        "person_not_found", "The service knows no person with this ID number: an override is for someone who declared or whom a department's data names.");

    public static ApiProblem NotProposed(string state) => new(
        StatusCodes.Status409Conflict, "override_not_proposed", $"The override is {state}: only a proposal is approved, rejected or withdrawn.", "Reload the overrides.")
    {
        Extensions = new Dictionary<string, object?> { ["state"] = state },
    };

    public static readonly ApiProblem Lapsed = new(
        StatusCodes.Status409Conflict, "override_expired", "The proposal's until date has passed: approving it would change nothing.",
        "Propose the override again with a new until date.");

    /// <summary>DESIGN §10: the second pair of eyes must be another health operator's, under another name.</summary>
    public static ApiProblem FourEyesRequired(string why) => new(
        StatusCodes.Status403Forbidden, FourEyesRequiredCode, "An override takes effect only when a different health operator approves it.", why);
}
