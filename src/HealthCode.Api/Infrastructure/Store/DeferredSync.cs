using Dapper;
using Microsoft.Data.Sqlite;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>How a store write reaches the disk before it returns.</summary>
internal enum CommitSync
{
    /// <summary>Synced (<c>synchronous = FULL</c>): what is answered to someone.</summary>
    Full,

    /// <summary>
    /// Written to the log but not synced (<see cref="DeferredSync"/>): for the steps of a batch, which nobody is told
    /// of and which a later synced commit of the batch's state makes durable with them.
    /// </summary>
    Deferred,
}

/// <summary>
/// While it lasts, a connection's commits are written to SQLite's log but not synced to disk (<c>synchronous =
/// NORMAL</c>, https://sqlite.org/pragma.html#pragma_synchronous). In WAL mode such a commit survives kill -9 of the
/// service (the page cache is the kernel's); only a power cut or a kernel crash can lose the last ones, and the
/// database stays consistent. A later commit with <c>synchronous = FULL</c>, on any connection, fsyncs the log with
/// every commit before it in it. So it is only for steps that are not answered to anyone and that a synced commit
/// after them finishes: a batch's chunks (the batch is <c>applying</c> until then) and its re-scorings (<c>rescoring</c>
/// until then); after a power cut the batch is taken up again from that state. Disposing it gives the connection its
/// settings back before it returns to the pool; should that fail, the pool is cleared, so that no connection is handed
/// out again with <c>synchronous = NORMAL</c>.
/// </summary>
internal sealed class DeferredSync : IAsyncDisposable
{
    private readonly SqliteConnection connection;
    private readonly long synchronous;
    private readonly long autoCheckpoint;

    private DeferredSync(SqliteConnection connection, long synchronous, long autoCheckpoint) =>
        (this.connection, this.synchronous, this.autoCheckpoint) = (connection, synchronous, autoCheckpoint);

    /// <summary>Defers the syncs of <paramref name="connection"/>; with <paramref name="withoutAutoCheckpoint"/> its commits also leave the checkpoints to the caller.</summary>
    public static async Task<DeferredSync> BeginAsync(SqliteConnection connection, bool withoutAutoCheckpoint, CancellationToken cancellationToken)
    {
        var synchronous = await connection.ExecuteScalarAsync<long>(new CommandDefinition("PRAGMA synchronous", cancellationToken: cancellationToken));
        var autoCheckpoint = await connection.ExecuteScalarAsync<long>(new CommandDefinition("PRAGMA wal_autocheckpoint", cancellationToken: cancellationToken));
        var deferred = new DeferredSync(connection, synchronous, autoCheckpoint);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                withoutAutoCheckpoint ? "PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0;" : "PRAGMA synchronous = NORMAL;",
                cancellationToken: cancellationToken));
        }
        catch
        {
            await deferred.DisposeAsync();
            throw;
        }

        return deferred;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"PRAGMA synchronous = {synchronous}; PRAGMA wal_autocheckpoint = {autoCheckpoint};", cancellationToken: CancellationToken.None));
        }
        catch (SqliteException)
        {
            SqliteConnection.ClearPool(connection);
            throw;
        }
    }
}
