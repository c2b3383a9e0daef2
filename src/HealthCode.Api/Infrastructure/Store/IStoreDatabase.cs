using System.Data.Common;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>
/// The store's database whichever the engine, for stores written once in SQL both engines read alike (STYLE: one store
/// implementation where SQLite and PostgreSQL agree, a small dialect where they do not, <see cref="SqlDialect"/>).
/// </summary>
internal interface IStoreDatabase
{
    SqlDialect Dialect { get; }

    /// <summary>An open connection; dispose it when done (PostgreSQL's go back to Npgsql's pool).</summary>
    Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);
}

/// <summary>
/// What the two engines spell differently. Most of the store's SQL needs none of it: both read <c>@name</c> parameters,
/// <c>ON CONFLICT ... DO UPDATE SET x = excluded.x</c>, <c>ON CONFLICT DO NOTHING</c>, <c>coalesce</c>, <c>RETURNING</c>.
/// </summary>
internal sealed class SqlDialect
{
    public static readonly SqlDialect Sqlite = new(StoreEngine.Sqlite);

    public static readonly SqlDialect Postgres = new(StoreEngine.Postgres);

    private SqlDialect(StoreEngine engine) => Engine = engine;

    public StoreEngine Engine { get; }

    /// <summary>
    /// Locks the rows a <c>SELECT</c> reads until the transaction ends, appended to it. PostgreSQL's transactions run side
    /// by side, so a chain's head is locked before it is extended (several instances append to one chain). SQLite has one
    /// writer at a time: a write transaction already excludes the others, and it has no such clause.
    /// </summary>
    public string ForUpdate => Engine == StoreEngine.Postgres ? " FOR UPDATE" : "";
}
