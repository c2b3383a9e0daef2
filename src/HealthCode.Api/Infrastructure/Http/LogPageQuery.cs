using System.Globalization;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Infrastructure.Http;

/// <summary>
/// How an auditor pages a log (the scan audit, the data-use log: DESIGN §10), as the query string has it:
/// <c>cursor</c> (the <c>nextCursor</c> of the previous page: the last seq it held), <c>limit</c> (1 to
/// <see cref="MaxLimit"/>, default <see cref="MaxLimit"/>), <c>order</c> (<c>asc</c>, the default, or <c>desc</c>: newest
/// first) and <c>from</c>, <c>to</c> (<see cref="QueryInstant"/>). Parsed here, so each bad value is a field error of its
/// own (DESIGN §5).
/// </summary>
/// <remarks>
/// The audit answered, before it paged, the entries of the last 24 hours oldest first, at most 1000. A request without a
/// cursor, order or <c>from</c> still does: oldest first, <c>from</c> a day before <c>to</c> (or before now), and its
/// <c>nextCursor</c> now says what follows. A cursor continues where its page ended and newest first starts at the newest
/// entry, neither bounded in time unless <c>from</c> or <c>to</c> is given.
/// </remarks>
internal sealed record LogPageQuery(string? Cursor, string? Limit, string? Order, string? From, string? To)
{
    public const int MaxLimit = 1000;

    /// <summary>The page asked for, or the problem naming every invalid value.</summary>
    public Result<LogPage> Parse(DateTimeOffset now)
    {
        var errors = new List<FieldError>();
        var cursor = QueryPaging.Cursor(Cursor, errors);
        var limit = QueryPaging.Limit(Limit, MaxLimit, MaxLimit, errors);
        var newestFirst = QueryPaging.NewestFirst(Order, errors);
        var from = QueryInstant.Parse("from", From, errors);
        var to = QueryInstant.Parse("to", To, errors);
        if (errors.Count > 0)
        {
            return ApiProblem.Validation(errors);
        }

        if (from is null && cursor is null && !newestFirst)
        {
            // A day before 'to', short of the calendar's first day (to=0001-01-01 is a range, not a server error).
            var end = to ?? now;
            from = end > DateTimeOffset.MinValue.AddDays(1) ? end.AddDays(-1) : DateTimeOffset.MinValue;
        }

        return from > to ? QueryInstant.RangeInvalid : new LogPage(cursor, limit, newestFirst, from, to);
    }

    /// <summary>The page asked for, <paramref name="read"/> from the log's store and each entry shown as <paramref name="view"/> makes it.</summary>
    public async Task<Result<LogPageView<TView>>> ReadAsync<TEntry, TView>(
        DateTimeOffset now, Func<LogPage, Task<IReadOnlyList<TEntry>>> read, Func<TEntry, long> seq, Func<TEntry, TView> view)
    {
        var asked = Parse(now);
        if (asked.Problem is { } invalid)
        {
            return invalid;
        }

        var page = asked.Value!;
        var slice = LogSlice.Of(await read(page.OneMore), page.Limit, seq);
        return new LogPageView<TView>(page.From, page.To, page.NewestFirst ? "desc" : "asc", [.. slice.Entries.Select(view)], slice.NextCursor);
    }
}

/// <summary>A page of a log as an auditor reads it (the scan audit, the data-use log).</summary>
/// <param name="From">The lower time bound applied (the default window's when none was asked), null for none.</param>
/// <param name="To">The upper time bound applied, null for none.</param>
/// <param name="Order"><c>asc</c> (sequence order) or <c>desc</c> (newest first).</param>
/// <param name="NextCursor">The <c>cursor</c> of the next page: the seq of this page's last entry; null when nothing follows.</param>
internal sealed record LogPageView<T>(DateTimeOffset? From, DateTimeOffset? To, string Order, IReadOnlyList<T> Entries, long? NextCursor);

/// <summary>The paging values of query strings, each invalid one named in the request's field errors.</summary>
internal static class QueryPaging
{
    /// <summary>A cursor: the last seq of the previous page, a whole number from 0.</summary>
    public static long? Cursor(string? text, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var cursor))
        {
            return cursor;
        }

        errors.Add(new FieldError("cursor", "cursor_invalid", "Give 'cursor' as the nextCursor of the previous page (a whole number), or leave it out for the first page."));
        return null;
    }

    /// <summary>A page size from 1 to <paramref name="max"/>; <paramref name="byDefault"/> when absent.</summary>
    public static int Limit(string? text, int byDefault, int max, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return byDefault;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var limit))
        {
            errors.Add(new FieldError("limit", "limit_invalid", $"Give 'limit' as a whole number from 1 to {max}."));
        }
        else if (limit < 1 || limit > max)
        {
            errors.Add(new FieldError("limit", "limit_out_of_range", $"'limit' is from 1 to {max} entries a page."));
        }

        return limit;
    }

    /// <summary><c>desc</c>: newest first; <c>asc</c> or nothing: in sequence order.</summary>
    public static bool NewestFirst(string? order, List<FieldError> errors)
    {
        switch (order)
        {
            case null or "" or "asc":
                return false;
            case "desc":
                return true;
            default:
                errors.Add(new FieldError("order", "order_invalid", "Give 'order' as asc (oldest first, the default) or desc (newest first)."));
                return false;
        }
    }
}
