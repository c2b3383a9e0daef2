using System.Text;
using System.Text.Json;
using HealthCode.Api.Infrastructure.Store;
using nietras.SeparatedValues;

namespace HealthCode.Api.Features.Sharing;

/// <summary>
/// Reads a received batch file row by row, never whole (DESIGN §9): CSV with a header row through Sep, or NDJSON one
/// object a line, both strict UTF-8. Each row comes out as the kind's columns in order and then <c>op</c>, with its
/// line number; what is wrong with the file's shape (a missing or unknown column, a row of the wrong width, a line
/// that is not a JSON object) is added to the errors with its line.
/// </summary>
internal static class BatchFile
{
    public const string Csv = "text/csv";
    public const string Ndjson = "application/x-ndjson";

    /// <summary>Longest NDJSON line read: a row of this format is a few hundred bytes.</summary>
    private const int MaxLineChars = 16 * 1024;

    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool IsSupported(string? mediaType) => mediaType is Csv or Ndjson;

    /// <summary>The rows of the file; the file's shape errors go to <paramref name="errors"/>. Throws <see cref="DecoderFallbackException"/> on bytes that are not UTF-8.</summary>
    public static IEnumerable<(int Line, string?[] Values)> Read(string path, string mediaType, FactKind kind, List<RowError> errors) =>
        mediaType == Csv ? ReadCsv(path, kind, errors) : ReadNdjson(path, kind, errors);

    private static IEnumerable<(int Line, string?[] Values)> ReadCsv(string path, FactKind kind, List<RowError> errors)
    {
        var columns = FactKinds.Columns(kind);
        using var text = Open(path);
        using var reader = Sep.New(',').Reader(o => o with { HasHeader = true, Unescape = true, DisableColCountCheck = true }).From(text);
        var header = reader.Header.ColNames;
        if (header.Count == 0)
        {
            errors.Add(new RowError(1, "", "header_missing"));
            yield break;
        }

        // Where each of the kind's columns and op sits in the file; -1 for op when the file has none.
        var at = new int[columns.Count + 1];
        for (var i = 0; i < columns.Count; i++)
        {
            at[i] = IndexOf(header, columns[i]);
            if (at[i] < 0)
            {
                errors.Add(new RowError(1, columns[i], "column_missing"));
            }
        }

        at[columns.Count] = IndexOf(header, FactKinds.OpColumn);
        foreach (var unknown in header.Where(name => !columns.Contains(name, StringComparer.Ordinal) && name != FactKinds.OpColumn))
        {
            errors.Add(new RowError(1, unknown, "column_unknown"));
        }

        if (errors.Count > 0)
        {
            yield break;
        }

        foreach (var row in reader)
        {
            var line = row.LineNumberFrom;
            if (row.Span.IsWhiteSpace())
            {
                // A blank line is no row (the CLI does not count it either).
                continue;
            }

            if (row.ColCount != header.Count)
            {
                errors.Add(new RowError(line, "", "column_count"));
                yield return (line, []);
                continue;
            }

            var values = new string?[at.Length];
            for (var i = 0; i < at.Length; i++)
            {
                values[i] = at[i] < 0 ? null : row[at[i]].ToString();
            }

            yield return (line, values);
        }
    }

    private static IEnumerable<(int Line, string?[] Values)> ReadNdjson(string path, FactKind kind, List<RowError> errors)
    {
        var columns = FactKinds.Columns(kind);
        using var text = Open(path);
        var line = 0;
        while (text.ReadLine() is { } json)
        {
            line++;
            if (string.IsNullOrWhiteSpace(json))
            {
                continue;
            }

            var values = new string?[columns.Count + 1];
            if (json.Length > MaxLineChars || !TryReadObject(json, columns, values, line, errors))
            {
                if (json.Length > MaxLineChars)
                {
                    errors.Add(new RowError(line, "", "line_too_long"));
                }

                yield return (line, []);
                continue;
            }

            yield return (line, values);
        }
    }

    /// <summary>The file as strict UTF-8 text, a byte order mark at its start skipped (it is in the signed bytes, but no data).</summary>
    private static StreamReader Open(string path)
    {
        var text = new StreamReader(path, StrictUtf8, detectEncodingFromByteOrderMarks: false);
        if (text.Peek() == '\uFEFF')
        {
            text.Read();
        }

        return text;
    }

    private static bool TryReadObject(string json, IReadOnlyList<string> columns, string?[] values, int line, List<RowError> errors)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 2 });
        }
        catch (JsonException)
        {
            errors.Add(new RowError(line, "", "json_invalid"));
            return false;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new RowError(line, "", "json_invalid"));
                return false;
            }

            var ok = true;
            foreach (var member in document.RootElement.EnumerateObject())
            {
                var index = member.Name == FactKinds.OpColumn ? columns.Count : IndexOf(columns, member.Name);
                if (index < 0)
                {
                    errors.Add(new RowError(line, member.Name, "column_unknown"));
                    ok = false;
                }
                else if (member.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                {
                    // Every value is text, as in the CSV: a date, a code, an ID number (which a number would corrupt).
                    errors.Add(new RowError(line, member.Name, "wrong_type"));
                    ok = false;
                }
                else if (values[index] is not null)
                {
                    errors.Add(new RowError(line, member.Name, "duplicate_field"));
                    ok = false;
                }
                else
                {
                    values[index] = member.Value.GetString();
                }
            }

            return ok;
        }
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
