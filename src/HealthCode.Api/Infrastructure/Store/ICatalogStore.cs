namespace HealthCode.Api.Infrastructure.Store;

/// <summary>
/// The departments that publish data and the province's sharing catalogue (DESIGN §9, 政务信息资源目录): each
/// entry names its provider and kind; the service keeps when its last batch was applied and how many rows it holds.
/// </summary>
internal interface ICatalogStore
{
    Task<DepartmentRecord?> FindDepartmentAsync(string code, CancellationToken cancellationToken);

    Task<IReadOnlyList<DepartmentRecord>> ListDepartmentsAsync(CancellationToken cancellationToken);

    /// <summary>Adds a department, or replaces its name and key (a department rotating its key).</summary>
    Task SaveDepartmentAsync(DepartmentRecord department, CancellationToken cancellationToken);

    Task<CatalogEntry?> FindEntryAsync(string code, CancellationToken cancellationToken);

    Task<IReadOnlyList<CatalogEntry>> ListEntriesAsync(CancellationToken cancellationToken);

    /// <summary>Adds an entry; false when an entry with its code exists.</summary>
    Task<bool> AddEntryAsync(CatalogEntry entry, CancellationToken cancellationToken);

    /// <summary>Replaces an entry's published fields (not its batch record); false when there is none with its code.</summary>
    Task<bool> UpdateEntryAsync(CatalogEntry entry, CancellationToken cancellationToken);
}

/// <summary>A department that signs batches: <c>KeyJwk</c> is its public ES256 JWK, <c>Kid</c> that key's id (DESIGN §4.1).</summary>
internal sealed record DepartmentRecord(string Code, string Name, string KeyJwk, string Kid, DateTimeOffset AddedAt);

/// <summary>One column of a catalogue entry (信息项).</summary>
internal sealed record CatalogItem(string Name, string Type);

/// <summary>How an entry is shared: <c>unconditional</c>, <c>conditional</c> (with its conditions) or <c>none</c>; method <c>batch</c>.</summary>
internal sealed record CatalogSharing(string Type, string? Conditions, string Method);

/// <summary>
/// A catalogue entry with every DESIGN §9 field. <c>UpdateCycle</c> is an ISO 8601 duration (<c>P1D</c>, <c>PT6H</c>);
/// <c>LastBatchAt</c> and <c>Rows</c> are kept by the service: when the last batch was applied and the rows the
/// entry holds after it.
/// </summary>
internal sealed record CatalogEntry(
    string Code,
    string Name,
    string Provider,
    string Summary,
    string Kind,
    IReadOnlyList<CatalogItem> Items,
    CatalogSharing Sharing,
    string UpdateCycle,
    string LegalBasis,
    string Purpose,
    int RetentionDays,
    DateTimeOffset PublishedAt,
    DateTimeOffset? LastBatchAt,
    long Rows);
