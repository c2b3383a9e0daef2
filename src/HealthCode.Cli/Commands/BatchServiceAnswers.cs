using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace HealthCode.Cli.Commands;

/// <summary>One refused row of a batch (DESIGN §9): its line in the file (the header is line 1), the field and a stable code.</summary>
internal sealed record RowError(long Line, string? Field, string? Code);

/// <summary>
/// <c>GET /api/v1/sources/{code}/batches/{batchId}</c> (DESIGN §9), and the <c>202</c> of the upload (which has only the
/// first two): the batch's status (<c>receiving</c>, <c>applying</c>, <c>applied</c>, <c>rejected</c>), its rows, how many
/// were applied and rejected, and the first 1,000 row errors.
/// </summary>
internal sealed record BatchStatus(string? BatchId, string? Status, long Rows, long Applied, long Rejected, IReadOnlyList<RowError>? Errors)
{
    public const string AppliedStatus = "applied";
    public const string RejectedStatus = "rejected";

    /// <summary>Applied or rejected: nothing will change any more (a batch applies whole or not at all).</summary>
    public bool IsFinal => Status is AppliedStatus or RejectedStatus;
}

/// <summary>An RFC 9457 problem answer, with the service's stable <c>code</c> extension (DESIGN §5).</summary>
internal sealed record Problem(int? Status, string? Title, string? Detail, string? Code);

/// <summary>Reads what the service answers; never throws on a body that is not what the contract says.</summary>
internal static class BatchServiceAnswers
{
    /// <summary>The longest answer read: a status with 1,000 row errors is about 100 KB.</summary>
    public const int MaxAnswerBytes = 4 * 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A batch status, or null when the body is not one (not JSON, or no <c>status</c>).</summary>
    public static BatchStatus? ReadStatus(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<BatchStatus>(body, Json) is { Status: not null } status ? status : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// One line for an answer that is not a success: <c>the service answered 403 Forbidden: department_mismatch: The
    /// source belongs to another department.</c> A problem's code and title (and detail) when the body is one, else the
    /// status alone.
    /// </summary>
    public static string RefusalLine(int status, string? reason, MediaTypeHeaderValue? contentType, string body)
    {
        string line = string.Create(CultureInfo.InvariantCulture, $"the service answered {status} {reason}").TrimEnd();
        Problem? problem = null;
        if (contentType?.MediaType is { } media && (media.EndsWith("+json", StringComparison.OrdinalIgnoreCase) || media.EndsWith("/json", StringComparison.OrdinalIgnoreCase)))
        {
            try
            {
                problem = JsonSerializer.Deserialize<Problem>(body, Json);
            }
            catch (JsonException)
            {
                problem = null;
            }
        }

        if (problem is null || (problem.Code is null && problem.Title is null))
        {
            return line;
        }

        string[] parts = [line, .. new[] { problem.Code, problem.Title, problem.Detail }.OfType<string>().Where(p => p.Length > 0)];
        return OneLine(string.Join(": ", parts));
    }

    /// <summary>Text from the service printed on one terminal line: line breaks and control characters become spaces.</summary>
    public static string OneLine(string text) => string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c));
}
