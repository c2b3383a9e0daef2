using Dapper;
using HealthCode.Api.Infrastructure.Privacy;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Declarations;

/// <summary>
/// What a declaration draft reads besides the person, their declarations and their facts: the phone an account logged
/// in with, and the population register's row of an ID number (DESIGN §9 kind <c>population</c>: "identity check,
/// prefill"), with the catalogue entry and the batch that carried it.
/// </summary>
internal interface IDraftSources
{
    Task<string?> AccountPhoneAsync(string accountId, CancellationToken cancellationToken);

    Task<RegisterEntry?> RegisterEntryAsync(string idNumber, CancellationToken cancellationToken);
}

/// <summary>A row of the population register: the name and region it holds for an ID number, and where that came from.</summary>
internal sealed record RegisterEntry(string Name, string Region, FactSource Source);

/// <summary>
/// The sources of a declaration's draft, on either engine (<see cref="IStoreDatabase"/>): the SQL is the same on both.
/// The phone and the register's name are stored encrypted (DESIGN §11) and decrypted here, for the draft that shows them.
/// </summary>
internal sealed class DraftSources(IStoreDatabase database, PersonalFields personal) : IDraftSources
{
    public async Task<string?> AccountPhoneAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var phone = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT phone FROM residents WHERE id = @accountId", new { accountId }, cancellationToken: cancellationToken));
        return personal.Open(PrivacyField.Phone, phone, accountId);
    }

    public async Task<RegisterEntry?> RegisterEntryAsync(string idNumber, CancellationToken cancellationToken)
    {
        var index = personal.Index(PrivacyField.IdNumber, idNumber);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string? Name, string Region, string Code, string SourceName, string BatchId)>(new CommandDefinition(
            """
            SELECT f.name, f.region, f.source, coalesce(e.name, f.source), f.batch_id
            FROM fact_population f LEFT JOIN catalog e ON e.code = f.source
            WHERE f.id_number_index = @index
            """,
            new { index }, cancellationToken: cancellationToken));
        return row.Name is null ? null : new RegisterEntry(personal.Open(PrivacyField.FullName, row.Name, index), row.Region, new FactSource(row.Code, row.SourceName, row.BatchId));
    }
}
