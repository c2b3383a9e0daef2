using System.Globalization;
using System.Text;
using Dapper;
using HealthCode.Api.Infrastructure.Privacy;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Trust;

namespace HealthCode.Api.Features.Offices;

/// <summary>
/// What grassroots offices read of the codes (DESIGN §10): counts by region and colour, and the people of a colour, in
/// the areas given and nowhere else. Every query takes the areas as prefixes of <c>codes.region</c> (the region of
/// the person's latest declaration), each read as an index range.
/// </summary>
internal interface IOfficeStore
{
    /// <summary>How many codes of each colour each declared region within <paramref name="areas"/> has.</summary>
    Task<IReadOnlyList<RegionColourCount>> CountAsync(IReadOnlyList<string> areas, CancellationToken cancellationToken);

    /// <summary>
    /// The people with a code of one of <paramref name="colours"/> within <paramref name="areas"/>, the most recent colour
    /// change first (then by person), after <paramref name="after"/> when given; at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<FollowUpRow>> ListAsync(
        IReadOnlyList<string> areas, IReadOnlyList<CodeColor> colours, OfficeCursor? after, int limit, CancellationToken cancellationToken);
}

internal sealed record RegionColourCount(string Region, CodeColor Color, long Count);

/// <summary>A person to follow up as stored: <c>Phone</c> is their account's (for a dependant, the holder's); null when no account holds them.</summary>
internal sealed record FollowUpRow(
    string PersonId, string MaskedName, string IdTail, CodeColor Color, string ReasonsJson, DateTimeOffset Since, string Region, bool Dependant, string? Phone);

internal sealed class OfficeStore(IStoreDatabase database, PersonalFields personal) : IOfficeStore
{
    public async Task<IReadOnlyList<RegionColourCount>> CountAsync(IReadOnlyList<string> areas, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters();
        var within = Within(areas, parameters);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Region, long Color, long Count)>(new CommandDefinition(
            $"SELECT c.region, c.color, count(*) FROM codes c WHERE {within} GROUP BY c.region, c.color ORDER BY c.region, c.color",
            parameters, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new RegionColourCount(r.Region, (CodeColor)r.Color, r.Count))];
    }

    public async Task<IReadOnlyList<FollowUpRow>> ListAsync(
        IReadOnlyList<string> areas, IReadOnlyList<CodeColor> colours, OfficeCursor? after, int limit, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters(new
        {
            colours = colours.Select(c => (int)c).ToArray(),
            since = after?.SinceMs ?? long.MaxValue,
            person = after?.PersonId ?? "",
            limit,
        });
        var within = Within(areas, parameters);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"""
            SELECT c.person_id AS PersonId, c.masked_name AS MaskedName, c.id_tail AS IdTail, c.color AS Color, c.reasons AS Reasons,
                   c.color_since AS ColorSince, c.region AS Region, p.role AS Role, r.id AS AccountId, r.phone AS Phone
            FROM codes c JOIN persons p ON p.id = c.person_id LEFT JOIN residents r ON r.id = p.account_id
            WHERE ({within}) AND {database.Dialect.In("c.color", "@colours")}
              AND (c.color_since < @since OR (c.color_since = @since AND c.person_id > @person))
            ORDER BY c.color_since DESC, c.person_id
            LIMIT @limit
            """,
            parameters, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new FollowUpRow(
            r.PersonId, r.MaskedName, r.IdTail, (CodeColor)r.Color, r.Reasons, DateTimeOffset.FromUnixTimeMilliseconds(r.ColorSince), r.Region,
            r.Role == "dependant", r.AccountId is null ? null : personal.Open(PrivacyField.Phone, r.Phone, r.AccountId)))];
    }

    /// <summary>The condition "the code's region is in one of <paramref name="areas"/>", its bounds added to <paramref name="parameters"/>.</summary>
    private static string Within(IReadOnlyList<string> areas, DynamicParameters parameters)
    {
        // No area, no rows: never an empty condition that would select everyone.
        if (areas.Count == 0)
        {
            return "1 = 0";
        }

        var condition = new StringBuilder();
        for (var i = 0; i < areas.Count; i++)
        {
            var (from, to) = OfficeAreas.Range(areas[i]);
            parameters.Add($"from{i}", from);
            parameters.Add($"to{i}", to);
            condition.Append(i == 0 ? "" : " OR ").Append(CultureInfo.InvariantCulture, $"(c.region >= @from{i} AND c.region < @to{i})");
        }

        return condition.ToString();
    }

    private sealed class Row
    {
        public string PersonId { get; init; } = "";

        public string MaskedName { get; init; } = "";

        public string IdTail { get; init; } = "";

        public long Color { get; init; }

        public string Reasons { get; init; } = "";

        public long ColorSince { get; init; }

        public string Region { get; init; } = "";

        public string? Role { get; init; }

        public string? AccountId { get; init; }

        public string? Phone { get; init; }
    }
}
