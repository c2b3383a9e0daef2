using HealthCode.Trust;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>
/// The service's durable state. SQLite is the embedded default; a PostgreSQL implementation
/// comes with scale-out. Every write that belongs together happens in one transaction.
/// </summary>
internal interface IHealthCodeStore
{
    Task InitializeAsync(CancellationToken cancellationToken);

    Task<bool> IsHealthyAsync(CancellationToken cancellationToken);

    /// <summary>The resident with this phone number, created on first login.</summary>
    Task<string> GetOrCreateResidentAsync(string phone, DateTimeOffset now, CancellationToken cancellationToken);

    Task CreateSessionAsync(string tokenHash, string residentId, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    Task<SessionRecord?> FindSessionAsync(string tokenHash, CancellationToken cancellationToken);

    /// <summary>The person's past declarations, from whichever account sent them (DESIGN §8: history belongs to the person).</summary>
    Task<IReadOnlyList<DeclarationOutcome>> GetDeclarationHistoryAsync(string personId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the declaration, the person's new code and the uses of shared data behind it (DESIGN §10) together. When <paramref name="target"/> says
    /// so, the ID number is first bound to the account as its holder in the same transaction;
    /// when that binding is refused (another account took the person a moment ago), nothing is stored
    /// and the answer says why.
    /// </summary>
    Task<SavedDeclaration> SaveDeclarationAsync(DeclarationTarget target, NewDeclaration declaration, IReadOnlyList<Features.DataUseLog.DataUse> uses, CancellationToken cancellationToken);

    Task<CodeRecord?> FindCodeAsync(string personId, CancellationToken cancellationToken);

    /// <summary>The person's most recent declaration, as received, and the day it was made; null before the first.</summary>
    Task<LatestDeclaration?> GetLatestDeclarationAsync(string personId, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the codes of persons after their re-scoring (new facts, DESIGN §9), all in one commit, which
    /// <paramref name="sync"/> says how to make durable, with the uses of each score. A code's status version rises
    /// when its colour changes; a code is left as it is when nothing it shows changed, and when it is no longer as it
    /// was read before the scoring (its <see cref="CodeUpdate.ReadAt"/>): a declaration made meanwhile was scored with
    /// the same facts and is newer. The codes after, in the order given; null for a person without a code.
    /// </summary>
    Task<IReadOnlyList<CodeRecord?>> UpdateCodesAsync(IReadOnlyList<CodeUpdate> updates, CommitSync sync, CancellationToken cancellationToken);

    /// <summary>A code by its opaque id, for a partner asking after a code it scanned.</summary>
    Task<CodeRecord?> FindCodeByIdAsync(string codeId, CancellationToken cancellationToken);

    /// <summary>The code of the person with this ID number and full name (holder or dependant), for staff without a QR to scan.</summary>
    Task<CodeRecord?> FindCodeByIdCardAsync(string idNumber, string fullName, CancellationToken cancellationToken);

    /// <summary>Every code's current status version, to warm the in-memory index that scans consult.</summary>
    IAsyncEnumerable<(string CodeId, int StatusVersion)> GetStatusVersionsAsync(CancellationToken cancellationToken);
}

internal sealed record SessionRecord(string ResidentId, DateTimeOffset ExpiresAt);

/// <summary>A person's latest declaration: the day it was made and the declaration as received (JSON).</summary>
internal sealed record LatestDeclaration(DateOnly Day, string PayloadJson);

/// <summary>What scoring needs of a past declaration.</summary>
internal sealed record DeclarationOutcome(DateOnly Date, CodeColor RawColor, bool NegativeTest);

/// <summary>
/// Who a declaration is for: a person the account already holds, or, on the account's first
/// declaration (<c>BindAsHolder</c>), the ID number and name to bind as its holder; <c>PersonId</c> is
/// null only for a person not yet known.
/// </summary>
internal sealed record DeclarationTarget(string AccountId, string? PersonId, string IdNumber, string FullName, bool BindAsHolder);

/// <summary>The stored code and whose it is, or (code null) why the holder could not be bound.</summary>
internal sealed record SavedDeclaration(CodeRecord? Code, string? PersonId, BindResult? Refused);

/// <summary>An assessed declaration, ready to store. <c>PayloadJson</c> is the declaration as received.</summary>
internal sealed record NewDeclaration(
    DateTimeOffset SubmittedAt,
    DateOnly Date,
    string PayloadJson,
    CodeColor RawColor,
    CodeColor Color,
    bool NegativeTest,
    string ReasonsJson,
    DateOnly? GreenAfter,
    string PolicyVersion,
    string MaskedName,
    string IdTail)
{
    /// <summary>The person whose code this is.</summary>
    public string PersonId { get; init; } = "";
}

/// <summary>A re-scored code to store: the new colour, reasons and date, the uses of the scoring, and when the code read before it was last updated.</summary>
internal sealed record CodeUpdate(
    string PersonId,
    CodeColor Color,
    string ReasonsJson,
    DateOnly? GreenAfter,
    DateTimeOffset At,
    IReadOnlyList<Features.DataUseLog.DataUse> Uses,
    DateTimeOffset ReadAt);

/// <summary>A person's current code: what the QR is signed from.</summary>
internal sealed record CodeRecord(
    string CodeId,
    CodeColor Color,
    string ReasonsJson,
    DateOnly? GreenAfter,
    int StatusVersion,
    DateTimeOffset UpdatedAt,
    string MaskedName,
    string IdTail)
{
    /// <summary>The person whose code this is.</summary>
    public string PersonId { get; init; } = "";
}
