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

    Task<IReadOnlyList<DeclarationOutcome>> GetDeclarationHistoryAsync(string residentId, CancellationToken cancellationToken);

    /// <summary>Stores the declaration and the resident's new code together; returns the code as stored.</summary>
    Task<CodeRecord> SaveDeclarationAsync(string residentId, NewDeclaration declaration, CancellationToken cancellationToken);

    Task<CodeRecord?> FindCodeAsync(string residentId, CancellationToken cancellationToken);

    /// <summary>A code by its opaque id, for a partner asking after a code it scanned.</summary>
    Task<CodeRecord?> FindCodeByIdAsync(string codeId, CancellationToken cancellationToken);

    /// <summary>The code of the person with this ID number and full name, for staff without a QR to scan.</summary>
    Task<CodeRecord?> FindCodeByIdCardAsync(string idNumber, string fullName, CancellationToken cancellationToken);

    /// <summary>Every code's current status version, to warm the in-memory index that scans consult.</summary>
    IAsyncEnumerable<(string CodeId, int StatusVersion)> GetStatusVersionsAsync(CancellationToken cancellationToken);
}

internal sealed record SessionRecord(string ResidentId, DateTimeOffset ExpiresAt);

/// <summary>What scoring needs of a past declaration.</summary>
internal sealed record DeclarationOutcome(DateOnly Date, CodeColor RawColor, bool NegativeTest);

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
    string IdTail,
    string IdNumber,
    string FullName);

/// <summary>A resident's current code: what the QR is signed from.</summary>
internal sealed record CodeRecord(
    string CodeId,
    CodeColor Color,
    string ReasonsJson,
    DateOnly? GreenAfter,
    int StatusVersion,
    DateTimeOffset UpdatedAt,
    string MaskedName,
    string IdTail);
