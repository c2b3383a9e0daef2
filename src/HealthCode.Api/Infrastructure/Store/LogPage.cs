namespace HealthCode.Api.Infrastructure.Store;

/// <summary>
/// A page of a hash-chained log (the scan audit, the data-use log: DESIGN §10): entries after <c>Cursor</c> (the last
/// seq of the previous page) in sequence order, or before it when <c>NewestFirst</c>; at most <c>Limit</c>; within
/// [From, To) when given. Both logs number their entries 1, 2, 3, … in a column <c>seq</c> and keep their time as Unix
/// milliseconds in a column <c>at</c>, so one query reads a page of either.
/// </summary>
internal sealed record LogPage(long? Cursor, int Limit, bool NewestFirst, DateTimeOffset? From, DateTimeOffset? To)
{
    /// <summary>This page read one entry further: whether another page follows is then known without a second query.</summary>
    public LogPage OneMore => this with { Limit = Limit + 1 };

    /// <summary>The query of this page over <paramref name="table"/>, with parameters <c>@cursor</c>, <c>@from</c>, <c>@to</c>, <c>@limit</c> (<see cref="Values"/>).</summary>
    public string Sql(string columns, string table) => NewestFirst
        ? $"SELECT {columns} FROM {table} WHERE seq < @cursor AND at >= @from AND at < @to ORDER BY seq DESC LIMIT @limit"
        : $"SELECT {columns} FROM {table} WHERE seq > @cursor AND at >= @from AND at < @to ORDER BY seq LIMIT @limit";

    /// <summary>The values of <see cref="Sql"/>'s parameters, by name: an absent bound is the widest one.</summary>
    public IReadOnlyList<(string Name, long Value)> Values =>
    [
        ("@cursor", Cursor ?? (NewestFirst ? long.MaxValue : 0)),
        ("@from", From?.ToUnixTimeMilliseconds() ?? long.MinValue),
        ("@to", To?.ToUnixTimeMilliseconds() ?? long.MaxValue),
        ("@limit", Limit),
    ];
}

/// <summary>A page of a log as answered: its entries and the cursor of the next page (null when nothing follows).</summary>
internal sealed record LogSlice<T>(IReadOnlyList<T> Entries, long? NextCursor);

internal static class LogSlice
{
    /// <summary>
    /// The page out of the <paramref name="read"/> entries of a query for one entry more than <paramref name="limit"/>
    /// (<see cref="LogPage.OneMore"/>): when the extra one came, another page follows, and its cursor is the seq of this
    /// page's last entry.
    /// </summary>
    public static LogSlice<T> Of<T>(IReadOnlyList<T> read, int limit, Func<T, long> seq) =>
        read.Count > limit ? new([.. read.Take(limit)], seq(read[limit - 1])) : new(read, null);
}
