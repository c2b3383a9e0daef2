using System.Text.Json;
using HealthCode.Trust.Keys;

namespace HealthCode.Api.Infrastructure.Audit;

/// <summary>
/// A copy of the chain's head kept where deleting rows from the store cannot reach it (DESIGN §10 "Audit
/// durability"): whoever removes entries from the end of the chain, and rewrites the store's own head row to
/// match, still leaves the witness pointing past the rows. The audit writer records the head after each commit,
/// so the witness may lag the store (a crash between the two) but never leads it. One instance with SQLite keeps
/// it in a file beside the database (<see cref="FileAuditHeadWitness"/>); several instances sharing a store keep
/// it in a place of their own (issue 13), behind this interface.
/// </summary>
internal interface IAuditHeadWitness
{
    /// <summary>The head last recorded; null when none was, or what is there is not a head.</summary>
    Task<AuditHead?> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Records <paramref name="head"/> durably, replacing the one before.</summary>
    Task WriteAsync(AuditHead head, CancellationToken cancellationToken);
}

/// <summary>
/// The witness as a small JSON file beside the SQLite database (<c>hc.db</c> → <c>hc.db-audit-head.json</c>),
/// replaced whole by <see cref="AtomicFile"/>: a temporary file flushed to disk (fsync), then renamed over the old
/// one, so a crash leaves the old head or the new one, never half of either. The rename is not made durable by an
/// fsync of the folder: should a power cut undo it, the old file is a witness that lags, which the check accepts.
/// </summary>
internal sealed class FileAuditHeadWitness(string path) : IAuditHeadWitness
{
    public const string Suffix = "-audit-head.json";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>The witness of the database file <paramref name="databaseFile"/>, in the same folder.</summary>
    public static FileAuditHeadWitness Beside(string databaseFile) => new(databaseFile + Suffix);

    public async Task<AuditHead?> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync<AuditHead>(stream, JsonOptions, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (JsonException)
        {
            // The service writes it whole or not at all: what cannot be read is not a head it wrote.
            return null;
        }
    }

    public Task WriteAsync(AuditHead head, CancellationToken cancellationToken)
    {
        AtomicFile.Replace(path, JsonSerializer.Serialize(head, JsonOptions));
        return Task.CompletedTask;
    }
}
