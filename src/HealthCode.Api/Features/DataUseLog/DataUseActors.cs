using System.Text.RegularExpressions;

namespace HealthCode.Api.Features.DataUseLog;

/// <summary>
/// Who used a person's data, as the log keeps it (<see cref="DataUse.Actor"/>: short English words, the same in every
/// entry of a kind, so the chain hashes what an auditor reads) and as a resident reads it, in both languages of the
/// page. The writers build the text with these methods; <see cref="Describe"/> reads it back. Text of another shape
/// (a use recorded by code that builds its own) is shown as it is.
/// </summary>
internal static partial class DataUseActors
{
    /// <summary>The service itself: scoring a code.</summary>
    public const string System = ScoringUses.System;

    /// <summary>The account's own request: a declaration, a family member added, a form filled in.</summary>
    public const string Resident = "resident";

    /// <summary>Checkpoint staff: <c>checkpoint &lt;checkpointId&gt; (staff &lt;staffId&gt;)</c>.</summary>
    public static string Checkpoint(string checkpointId, string staffId) => $"checkpoint {checkpointId} (staff {staffId})";

    /// <summary>A grassroots office's operator (DESIGN §10): <c>office &lt;region&gt; (&lt;operator name&gt;)</c>.</summary>
    public static string Office(string region, string operatorName) => $"office {region} ({operatorName})";

    /// <summary>A named operator of another role (a health operator handling a dispute): <c>operator &lt;name&gt;</c>.</summary>
    public static string Operator(string operatorName) => $"operator {operatorName}";

    /// <summary>The actor in words: its kind (system, resident, checkpoint, office, operator or other) and a sentence part in each language.</summary>
    public static ActorWords Describe(string actor)
    {
        if (actor == System)
        {
            return new ActorWords("system", "健康码系统（自动赋码）", "the health-code service (automatic scoring)");
        }

        if (actor == Resident)
        {
            return new ActorWords("resident", "本账号（您的操作）", "this account (your own request)");
        }

        if (CheckpointText().Match(actor) is { Success: true } checkpoint)
        {
            var (place, staff) = (checkpoint.Groups[1].Value, checkpoint.Groups[2].Value);
            return new ActorWords("checkpoint", $"检查点 {place}（工作人员 {staff}）", $"checkpoint {place} (staff {staff})");
        }

        if (OfficeText().Match(actor) is { Success: true } office)
        {
            var (region, name) = (office.Groups[1].Value, office.Groups[2].Value);
            return new ActorWords("office", $"基层防控办公室 {region}（{name}）", $"grassroots office {region} ({name})");
        }

        if (OperatorText().Match(actor) is { Success: true } named)
        {
            return new ActorWords("operator", $"工作人员 {named.Groups[1].Value}", $"operator {named.Groups[1].Value}");
        }

        return new ActorWords("other", actor, actor);
    }

    [GeneratedRegex(@"^checkpoint (\S+) \(staff (\S+)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex CheckpointText();

    [GeneratedRegex(@"^office (\S+) \((.+)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex OfficeText();

    [GeneratedRegex(@"^operator (.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex OperatorText();
}

/// <summary>An actor as a resident reads it: <c>kind</c> for the page to style, and the words in Simplified Chinese and English.</summary>
internal sealed record ActorWords(string Kind, string ZhCn, string En);
