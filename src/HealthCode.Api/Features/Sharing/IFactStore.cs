using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Sharing;

/// <summary>
/// The facts departments shared (DESIGN §9), kept per person and per source: written by batches, read by scoring,
/// the identity check and (later) prefill.
/// </summary>
internal interface IFactStore
{
    /// <summary>The full names the service holds for these ID numbers (persons it knows).</summary>
    Task<IReadOnlyDictionary<string, string>> PersonNamesAsync(IReadOnlyCollection<string> idNumbers, CancellationToken cancellationToken);

    /// <summary>
    /// Applies rows of a checked batch in one transaction: each an upsert or a retraction by its key, of this source's
    /// facts only; a person the service does not know yet is created without an account. Noted for re-scoring: the
    /// persons, regions and journeys the rows touch. Applying the same rows again changes nothing more.
    /// </summary>
    Task ApplyAsync(BatchRecord batch, IReadOnlyList<FactRow> rows, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The batch's facts are all in: the catalogue entry records the batch and the rows it now holds; the batch is rescoring.</summary>
    Task FinishAsync(BatchRecord batch, FactKind kind, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Everyone with a code whose scoring the batch may change: the persons it names, their co-travellers on the
    /// journeys it touched, and, for risk areas, those with a stay (declared since <paramref name="since"/>, or on a
    /// travel record) in a region whose designation changed.
    /// </summary>
    Task<IReadOnlyList<string>> PersonsToRescoreAsync(BatchRecord batch, DateOnly since, CancellationToken cancellationToken);

    /// <summary>
    /// The person's facts and the departments' risk areas, as scoring takes them; <paramref name="areas"/>, when
    /// given, are the risk areas already read (a batch's group of re-scorings reads them once, not once a person).
    /// </summary>
    Task<ScoringFacts> ScoringFactsAsync(string? personId, CancellationToken cancellationToken, IReadOnlyList<SharedRiskArea>? areas = null);

    /// <summary>What the population register says of an ID number and a name (DESIGN §8), and which batch said it.</summary>
    Task<RegisterCheck> CheckRegisterAsync(string idNumber, string fullName, CancellationToken cancellationToken);
}

/// <summary>The register's answer, and the source and batch of the row that holds the person (when it does).</summary>
internal sealed record RegisterCheck(RegisterAnswer Answer, string? Source, string? BatchId);

/// <summary>The register's answer: not loaded (no population batch yet), or whether it holds the ID number with that name.</summary>
internal enum RegisterAnswer
{
    NotLoaded,
    Holds,
    DoesNotHold,
}
