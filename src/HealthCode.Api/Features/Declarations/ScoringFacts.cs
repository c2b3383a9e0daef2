using HealthCode.Trust;

namespace HealthCode.Api.Features.Declarations;

/// <summary>Where a fact came from (DESIGN §9): the catalogue entry's code and name, and the batch that carried it.</summary>
internal sealed record FactSource(string Code, string Name, string BatchId);

/// <summary>A department's case record of the person: <c>confirmed</c>, <c>suspected</c> or <c>cleared</c> since <c>At</c>.</summary>
internal sealed record CaseFact(string Status, DateTimeOffset At, FactSource Source);

/// <summary>The person is a close contact of a case (<c>CaseRef</c>), to be red until <c>Until</c> (inclusive).</summary>
internal sealed record CloseContactFact(DateTimeOffset NotifiedAt, DateOnly Until, string CaseRef, FactSource Source);

/// <summary>A lab's test result, counted on the day its sample was taken (China Standard Time).</summary>
internal sealed record TestFact(DateTimeOffset SampledAt, bool Positive, string Lab, FactSource Source);

/// <summary>A journey on a service (train G123, flight CZ3101, a bus) on a calendar date, from one region to another.</summary>
internal sealed record TravelFact(string Mode, string Service, DateOnly Date, string From, string To, FactSource Source);

/// <summary>The person travelled on a service, on a date, with a confirmed case; <c>Source</c> is the person's own travel record.</summary>
internal sealed record CoTravelFact(string Service, DateOnly Date, FactSource Source);

/// <summary>What the departments hold about one person, as scoring reads it.</summary>
internal sealed record PersonFacts(
    CaseFact? Case,
    IReadOnlyList<CloseContactFact> CloseContacts,
    IReadOnlyList<TestFact> Tests,
    IReadOnlyList<TravelFact> Travel,
    IReadOnlyList<CoTravelFact> CoTravel)
{
    public static readonly PersonFacts None = new(null, [], [], [], []);
}

/// <summary>A risk area designated by a department's batch (the health commission's), with its source.</summary>
internal sealed record SharedRiskArea(RiskArea Area, FactSource Source);

/// <summary>
/// A colour set by hand (DESIGN §10 "Overrides"): proposed by one health operator, approved by another, under a policy
/// rule (<c>Rule</c>: a clause of the risk policy or the number of the document that orders it), in force through
/// <c>Until</c> (a China Standard Time date, inclusive).
/// </summary>
internal sealed record ColorOverride(string OverrideId, CodeColor Color, string Rule, DateOnly Until);

/// <summary>
/// Everything scoring takes besides the declarations: the person's facts and the risk areas the departments
/// designated. A designation from shared data replaces the policy file's designations of the same region for the
/// days it covers (DESIGN §9), so a health commission can also lift one (level <c>low</c>).
/// </summary>
internal sealed record ScoringFacts(PersonFacts Person, IReadOnlyList<SharedRiskArea> Areas)
{
    public static readonly ScoringFacts None = new(PersonFacts.None, []);

    /// <summary>The person's active override, if any; the scorer ignores it after its <c>Until</c> date.</summary>
    public ColorOverride? Override { get; init; }
}
