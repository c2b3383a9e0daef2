using System.Globalization;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Sharing;

/// <summary>The six kinds of data the scorer understands (DESIGN §9), each with its columns in order.</summary>
internal enum FactKind
{
    Population,
    RiskAreas,
    Cases,
    CloseContacts,
    Tests,
    Travel,
}

/// <summary>One row of a batch that passed its checks: an upsert (the default) or a retraction of the fact with its key.</summary>
internal abstract record FactRow(int Line, bool Retract);

internal sealed record PopulationRow(int Line, bool Retract, string IdNumber, string? Name, string? Region) : FactRow(Line, Retract);

internal sealed record RiskAreaRow(int Line, bool Retract, string Region, string? Level, DateOnly From, DateOnly? To) : FactRow(Line, Retract);

internal sealed record CaseRow(int Line, bool Retract, string IdNumber, string? Name, string? Status, DateTimeOffset? At) : FactRow(Line, Retract);

internal sealed record CloseContactRow(int Line, bool Retract, string IdNumber, string? Name, DateTimeOffset? NotifiedAt, DateOnly? Until, string CaseRef) : FactRow(Line, Retract);

internal sealed record TestRow(int Line, bool Retract, string IdNumber, string? Name, DateTimeOffset SampledAt, string? Result, string Lab) : FactRow(Line, Retract);

internal sealed record TravelRow(int Line, bool Retract, string IdNumber, string? Name, string Mode, string Service, DateOnly Date, string? From, string? To) : FactRow(Line, Retract);

/// <summary>
/// The columns of each kind and the checks of each value (DESIGN §9). Values: calendar dates (<c>2020-03-01</c>,
/// China Standard Time) for <c>from</c>, <c>to</c>, <c>until</c>, <c>date</c>; instants with an offset
/// (<c>2020-03-01T08:30:00+08:00</c>) for <c>at</c>, <c>notifiedAt</c>, <c>sampledAt</c>; GB/T 2260 codes for
/// regions; GB 11643-1999 ID numbers. Every row may carry <c>op</c> = <c>upsert</c> (default) or <c>retract</c>;
/// a retraction needs only the columns of the fact's key (the others, when given, are checked too).
/// </summary>
internal static class FactKinds
{
    public const string OpColumn = "op";

    /// <summary>The six kinds by the names catalogue entries give them, in DESIGN §9's order.</summary>
    public static readonly IReadOnlyList<(string Name, FactKind Kind)> All =
    [
        ("population", FactKind.Population),
        ("risk_areas", FactKind.RiskAreas),
        ("cases", FactKind.Cases),
        ("close_contacts", FactKind.CloseContacts),
        ("tests", FactKind.Tests),
        ("travel", FactKind.Travel),
    ];

    public static readonly IReadOnlyDictionary<string, FactKind> ByName = All.ToDictionary(k => k.Name, k => k.Kind, StringComparer.Ordinal);

    /// <summary>The columns of a kind, in DESIGN §9's order (without <c>op</c>).</summary>
    public static IReadOnlyList<string> Columns(FactKind kind) => kind switch
    {
        FactKind.Population => ["idNumber", "name", "region"],
        FactKind.RiskAreas => ["region", "level", "from", "to"],
        FactKind.Cases => ["idNumber", "name", "status", "at"],
        FactKind.CloseContacts => ["idNumber", "name", "notifiedAt", "until", "caseRef"],
        FactKind.Tests => ["idNumber", "name", "sampledAt", "result", "lab"],
        _ => ["idNumber", "name", "mode", "service", "date", "from", "to"],
    };

    /// <summary>The columns that make a fact's key: all a retraction needs.</summary>
    public static IReadOnlyList<string> KeyColumns(FactKind kind) => kind switch
    {
        FactKind.Population => ["idNumber"],
        FactKind.RiskAreas => ["region", "from"],
        FactKind.Cases => ["idNumber"],
        FactKind.CloseContacts => ["idNumber", "caseRef"],
        FactKind.Tests => ["idNumber", "sampledAt", "lab"],
        _ => ["idNumber", "mode", "service", "date"],
    };

    /// <summary>The row as a fact, or null with its errors added (at most one per column).</summary>
    /// <param name="values">The kind's columns in <see cref="Columns"/> order, then <c>op</c>; null or empty when absent.</param>
    /// <param name="now">For instants: none may be later than now (with the clock skew).</param>
    public static FactRow? Parse(FactKind kind, int line, IReadOnlyList<string?> values, DateTimeOffset now, List<RowError> errors)
    {
        var before = errors.Count;
        var check = new RowCheck(line, errors, now, ChinaTime.DateOf(now));
        var columns = Columns(kind);
        var op = Value(values, columns.Count);
        var retract = op switch
        {
            null or "upsert" => false,
            "retract" => true,
            _ => check.Fail(OpColumn, "op_unknown"),
        };
        var keys = KeyColumns(kind);
        string? Get(int index, bool required = true) =>
            check.Required(columns[index], Value(values, index), required && (!retract || keys.Contains(columns[index])));

        FactRow? row = kind switch
        {
            FactKind.Population => new PopulationRow(line, retract, check.IdNumber(Get(0)), check.Name(Get(1)), check.Region(Get(2))),
            FactKind.RiskAreas => RiskArea(line, retract, check, Get(0), Get(1), Get(2), Get(3)),
            FactKind.Cases => new CaseRow(line, retract, check.IdNumber(Get(0)), check.Name(Get(1)), check.OneOf("status", Get(2), "confirmed", "suspected", "cleared"), check.Instant("at", Get(3))),
            FactKind.CloseContacts => CloseContact(line, retract, check, Get(0), Get(1), Get(2), Get(3), Get(4)),
            FactKind.Tests => new TestRow(line, retract, check.IdNumber(Get(0)), check.Name(Get(1)), check.Instant("sampledAt", Get(2)) ?? default, check.OneOf("result", Get(3), "negative", "positive"), check.Text("lab", Get(4)) ?? ""),
            _ => Travel(line, retract, check, Get(0), Get(1), Get(2), Get(3), Get(4), Get(5), Get(6)),
        };
        return errors.Count == before ? row : null;
    }

    private static RiskAreaRow RiskArea(int line, bool retract, RowCheck check, string? region, string? level, string? from, string? to)
    {
        var start = check.Date("from", from);
        var end = check.Date("to", to);
        if (start > end)
        {
            check.Fail("to", "date_range_invalid");
        }

        return new RiskAreaRow(line, retract, check.Region(region) ?? "", check.OneOf("level", level, "low", "medium", "high"), start ?? default, end);
    }

    private static CloseContactRow CloseContact(int line, bool retract, RowCheck check, string? id, string? name, string? notifiedAt, string? until, string? caseRef)
    {
        var notified = check.Instant("notifiedAt", notifiedAt);
        var last = check.Date("until", until);
        if (notified is { } n && last is { } u && u < ChinaTime.DateOf(n))
        {
            check.Fail("until", "date_range_invalid");
        }

        return new CloseContactRow(line, retract, check.IdNumber(id), check.Name(name), notified, last, check.Text("caseRef", caseRef) ?? "");
    }

    private static TravelRow Travel(int line, bool retract, RowCheck check, string? id, string? name, string? mode, string? service, string? date, string? from, string? to) => new(
        line,
        retract,
        check.IdNumber(id),
        check.Name(name),
        check.OneOf("mode", mode, "rail", "flight", "bus") ?? "",
        check.Service(service) ?? "",
        check.Date("date", date) ?? default,
        check.Region(from, "from"),
        check.Region(to, "to"));

    private static string? Value(IReadOnlyList<string?> values, int index) =>
        index < values.Count && values[index] is { } value && value.Trim() is { Length: > 0 } trimmed ? trimmed : null;

    /// <summary>The checks of one row, each adding at most one error for its column; a failed check returns null.</summary>
    private sealed class RowCheck(int line, List<RowError> errors, DateTimeOffset now, DateOnly today)
    {
        private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

        public bool Fail(string field, string code)
        {
            errors.Add(new RowError(line, field, code));
            return false;
        }

        public string? Required(string field, string? value, bool required)
        {
            if (value is null && required)
            {
                Fail(field, "required");
            }

            return value;
        }

        public string IdNumber(string? value)
        {
            if (value is null)
            {
                return "";
            }

            var upper = value.ToUpperInvariant();
            return Declarations.IdNumber.IsValid(upper, today, out var code) ? upper : Failed("idNumber", code, "");
        }

        public string? Name(string? value) =>
            value is null ? null
            : value.Length > FieldRules.NameMaxLength || value.Any(char.IsControl) ? Failed<string?>("name", "name_invalid", null)
            : value;

        public string? Region(string? value, string field = "region") =>
            value is null ? null
            : RegionCodes.Exists(value) ? value
            : Failed<string?>(field, "region_unknown", null);

        public string? OneOf(string field, string? value, params string[] allowed) =>
            value is null || allowed.Contains(value, StringComparer.Ordinal) ? value : Failed<string?>(field, "value_unknown", null);

        public string? Text(string field, string? value) =>
            value is null ? null
            : value.Length > 64 || value.Any(char.IsControl) ? Failed<string?>(field, "value_invalid", null)
            : value;

        /// <summary>A service such as G123, CZ3101 or a bus line: 1–16 letters, digits and '-'.</summary>
        public string? Service(string? value) =>
            value is null ? null
            : value.Length <= 16 && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') ? value.ToUpperInvariant()
            : Failed<string?>("service", "value_invalid", null);

        public DateOnly? Date(string field, string? value)
        {
            if (value is null)
            {
                return null;
            }

            if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return Failed<DateOnly?>(field, "date_invalid", null);
            }

            // A date years ahead is a typing mistake, not a plan; an end date may lie a little ahead (an until date).
            return date > today.AddYears(1) ? Failed<DateOnly?>(field, "date_in_future", null) : date;
        }

        public DateTimeOffset? Instant(string field, string? value)
        {
            if (value is null)
            {
                return null;
            }

            // An instant needs its offset (2020-03-01T08:30:00+08:00): a bare local time could be any zone's.
            if (!DateTimeOffset.TryParseExact(value, ["yyyy-MM-ddTHH:mm:sszzz", "yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz", "yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-ddTHH:mm:ss.FFFFFFFZ"],
                    CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
            {
                return Failed<DateTimeOffset?>(field, "instant_invalid", null);
            }

            return instant > now + Skew ? Failed<DateTimeOffset?>(field, "date_in_future", null) : instant;
        }

        private T Failed<T>(string field, string code, T value)
        {
            Fail(field, code);
            return value;
        }

        private string Failed(string field, string code, string value) => Failed<string>(field, code, value);
    }
}
