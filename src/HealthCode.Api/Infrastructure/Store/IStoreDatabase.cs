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

    /// <summary>
    /// Waits for this instance's turn to write, first come first served (SQLite's single write lock keeps no queue:
    /// <see cref="SqliteDatabase.TakeWriteTurnAsync"/>). PostgreSQL's writers lock rows, not the database: no turn to wait for.
    /// </summary>
    Task<IDisposable> TakeWriteTurnAsync(CancellationToken cancellationToken);

    /// <summary>Whether someone waits for the write turn: a long writer holding it should commit and hand it over (never, on PostgreSQL).</summary>
    bool WriteTurnWanted { get; }

    /// <summary>A read-only transaction in which every query sees one snapshot (a chain's head and its entries together).</summary>
    Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken);
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

    /// <summary>
    /// The condition "<paramref name="column"/> is one of the array parameter <paramref name="parameter"/>" (pass it an
    /// array). Dapper spreads a list into one parameter per item for SQLite; Npgsql takes the array as one parameter, which
    /// PostgreSQL compares with <c>= ANY</c>.
    /// </summary>
    public string In(string column, string parameter) => Engine == StoreEngine.Postgres ? $"{column} = ANY({parameter})" : $"{column} IN {parameter}";

    /// <summary>A column that orders a table's rows as they were inserted, where no column of its own does: SQLite's <c>rowid</c>, PostgreSQL's <c>ctid</c> (rows never updated).</summary>
    public string InsertionOrder => Engine == StoreEngine.Postgres ? "ctid" : "rowid";

    /// <summary>The text field <paramref name="field"/> of the JSON text <paramref name="json"/> (an expression), or NULL.</summary>
    public string JsonText(string json, string field) => Engine == StoreEngine.Postgres
        ? $"(({json})::jsonb ->> '{field}')"
        : $"json_extract({json}, '$.{field}')";

    /// <summary>
    /// A FROM item over the items of the JSON array in field <paramref name="field"/> of <paramref name="json"/>, named
    /// <paramref name="alias"/>, each item in its column <c>value</c>; no rows when the field is absent.
    /// </summary>
    public string JsonEach(string json, string field, string alias) => Engine == StoreEngine.Postgres
        ? $"jsonb_array_elements(({json})::jsonb -> '{field}') AS {alias}(value)"
        : $"json_each({json}, '$.{field}') {alias}";

    /// <summary>The day (<c>yyyy-MM-dd</c>, as text) of <paramref name="millis"/>, an expression of Unix milliseconds, in UTC.</summary>
    public string UtcDay(string millis) => Engine == StoreEngine.Postgres
        ? $"to_char(to_timestamp(({millis}) / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
        : $"date(({millis}) / 1000, 'unixepoch')";

    /// <summary>Whether <paramref name="exception"/> is a unique or check constraint refusing a row.</summary>
    public static bool IsConstraintViolation(Exception exception) => exception switch
    {
        // SQLITE_CONSTRAINT (https://sqlite.org/rescode.html#constraint).
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteErrorCode == 19,
        // Class 23, integrity constraint violation (https://www.postgresql.org/docs/current/errcodes-appendix.html).
        Npgsql.PostgresException postgres => postgres.SqlState.StartsWith("23", StringComparison.Ordinal),
        _ => false,
    };
}
