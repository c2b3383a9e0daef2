using Dapper;

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

/// <summary>The signed lists, on either engine (<see cref="IStoreDatabase"/>): the SQL is the same on both.</summary>
internal sealed class SignedListStore(IStoreDatabase database) : ISignedListStore
{
    public async Task<SignedListRecord?> GetAsync(string kind, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            "SELECT seq AS Seq, content_hash AS ContentHash, jws AS Jws FROM signed_lists WHERE kind = @kind",
            new { kind },
            cancellationToken: cancellationToken));
        return row is null ? null : new SignedListRecord(row.Seq, row.ContentHash, row.Jws);
    }

    public async Task<bool> TryReplaceAsync(string kind, long? previousSeq, SignedListRecord next, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // A compare-and-swap on seq: two instances re-signing at once cannot both publish.
        var sql = previousSeq is null
            ? "INSERT INTO signed_lists (kind, seq, content_hash, jws) VALUES (@kind, @seq, @hash, @jws) ON CONFLICT(kind) DO NOTHING"
            : "UPDATE signed_lists SET seq = @seq, content_hash = @hash, jws = @jws WHERE kind = @kind AND seq = @previous";
        return await connection.ExecuteAsync(new CommandDefinition(
            sql,
            new { kind, seq = next.Seq, hash = next.ContentHash, jws = next.Jws, previous = previousSeq ?? 0 },
            cancellationToken: cancellationToken)) == 1;
    }

    private sealed class Row
    {
        public long Seq { get; init; }

        public string ContentHash { get; init; } = "";

        public string Jws { get; init; } = "";
    }
}
