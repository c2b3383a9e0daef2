namespace HealthCode.Api.Infrastructure.Store;

/// <summary>A list this instance signed: its sequence number, a hash of what it listed, and the JWS.</summary>
internal sealed record SignedListRecord(long Seq, string ContentHash, string Jws);

/// <summary>The lists this instance signs and serves: <c>trust-list</c>, and in hub mode <c>federation</c>.</summary>
internal interface ISignedListStore
{
    Task<SignedListRecord?> GetAsync(string kind, CancellationToken cancellationToken);

    /// <summary>Stores a newer list only if the held one is still <paramref name="previousSeq"/>; false when another instance won.</summary>
    Task<bool> TryReplaceAsync(string kind, long? previousSeq, SignedListRecord next, CancellationToken cancellationToken);
}

internal sealed class SqliteSignedListStore(SqliteDatabase database) : ISignedListStore
{
    public async Task<SignedListRecord?> GetAsync(string kind, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, content_hash, jws FROM signed_lists WHERE kind = $kind";
        command.Parameters.AddWithValue("$kind", kind);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new SignedListRecord(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)) : null;
    }

    public async Task<bool> TryReplaceAsync(string kind, long? previousSeq, SignedListRecord next, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // A compare-and-swap on seq: two instances re-signing at once cannot both publish.
        command.CommandText = previousSeq is null
            ? "INSERT INTO signed_lists (kind, seq, content_hash, jws) VALUES ($kind, $seq, $hash, $jws) ON CONFLICT(kind) DO NOTHING"
            : "UPDATE signed_lists SET seq = $seq, content_hash = $hash, jws = $jws WHERE kind = $kind AND seq = $previous";
        command.Parameters.AddWithValue("$kind", kind);
        command.Parameters.AddWithValue("$seq", next.Seq);
        command.Parameters.AddWithValue("$hash", next.ContentHash);
        command.Parameters.AddWithValue("$jws", next.Jws);
        command.Parameters.AddWithValue("$previous", previousSeq ?? 0);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
