using System.Globalization;
using System.Security.Cryptography;
using HealthCode.Trust;
using Microsoft.Data.Sqlite;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>Residents, sessions, declarations and codes in the embedded SQLite database. Every multi-row change runs in one transaction.</summary>
internal sealed class SqliteHealthCodeStore(SqliteDatabase database) : IHealthCodeStore
{
    public Task InitializeAsync(CancellationToken cancellationToken) => database.MigrateAsync(cancellationToken);

    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM residents WHERE 0";
        await command.ExecuteScalarAsync(cancellationToken);
        return true;
    }

    public async Task<string> GetOrCreateResidentAsync(string phone, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // One statement, so two first logins at once cannot create two residents.
        command.CommandText = """
            INSERT INTO residents (id, phone, created_at) VALUES ($id, $phone, $now)
            ON CONFLICT(phone) DO NOTHING;
            SELECT id FROM residents WHERE phone = $phone;
            """;
        command.Parameters.AddWithValue("$id", NewId());
        command.Parameters.AddWithValue("$phone", phone);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task CreateSessionAsync(string tokenHash, string residentId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO sessions (token_hash, resident_id, expires_at) VALUES ($hash, $resident, $expires)";
        command.Parameters.AddWithValue("$hash", tokenHash);
        command.Parameters.AddWithValue("$resident", residentId);
        command.Parameters.AddWithValue("$expires", expiresAt.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<SessionRecord?> FindSessionAsync(string tokenHash, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT resident_id, expires_at FROM sessions WHERE token_hash = $hash";
        command.Parameters.AddWithValue("$hash", tokenHash);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new SessionRecord(reader.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)))
            : null;
    }

    public async Task<IReadOnlyList<DeclarationOutcome>> GetDeclarationHistoryAsync(string residentId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT day, raw_color, negative_test FROM declarations WHERE resident_id = $resident ORDER BY day";
        command.Parameters.AddWithValue("$resident", residentId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var history = new List<DeclarationOutcome>();
        while (await reader.ReadAsync(cancellationToken))
        {
            history.Add(new DeclarationOutcome(
                DateOnly.ParseExact(reader.GetString(0), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                (CodeColor)reader.GetInt32(1),
                reader.GetInt32(2) != 0));
        }

        return history;
    }

    public async Task<CodeRecord> SaveDeclarationAsync(string residentId, NewDeclaration declaration, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);

        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO declarations (resident_id, submitted_at, day, payload, raw_color, color, negative_test, policy_version)
                VALUES ($resident, $at, $day, $payload, $raw, $color, $negative, $policy)
                """;
            insert.Parameters.AddWithValue("$resident", residentId);
            insert.Parameters.AddWithValue("$at", declaration.SubmittedAt.ToUnixTimeMilliseconds());
            insert.Parameters.AddWithValue("$day", declaration.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            insert.Parameters.AddWithValue("$payload", declaration.PayloadJson);
            insert.Parameters.AddWithValue("$raw", (int)declaration.RawColor);
            insert.Parameters.AddWithValue("$color", (int)declaration.Color);
            insert.Parameters.AddWithValue("$negative", declaration.NegativeTest ? 1 : 0);
            insert.Parameters.AddWithValue("$policy", declaration.PolicyVersion);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var upsert = connection.CreateCommand())
        {
            upsert.Transaction = transaction;
            // The status version rises with every declaration, so a token signed before it is
            // recognisably older than the record (DESIGN §4.1).
            upsert.CommandText = """
                INSERT INTO codes (resident_id, code_id, color, reasons, green_after, status_version, updated_at, masked_name, id_tail, id_number, full_name)
                VALUES ($resident, $codeId, $color, $reasons, $greenAfter, 1, $at, $masked, $tail, $id, $name)
                ON CONFLICT(resident_id) DO UPDATE SET
                    color = excluded.color, reasons = excluded.reasons, green_after = excluded.green_after,
                    status_version = codes.status_version + 1, updated_at = excluded.updated_at,
                    masked_name = excluded.masked_name, id_tail = excluded.id_tail, id_number = excluded.id_number,
                    full_name = excluded.full_name
                """;
            upsert.Parameters.AddWithValue("$resident", residentId);
            upsert.Parameters.AddWithValue("$codeId", NewId());
            upsert.Parameters.AddWithValue("$color", (int)declaration.Color);
            upsert.Parameters.AddWithValue("$reasons", declaration.ReasonsJson);
            upsert.Parameters.AddWithValue("$greenAfter", (object?)declaration.GreenAfter?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? DBNull.Value);
            upsert.Parameters.AddWithValue("$at", declaration.SubmittedAt.ToUnixTimeMilliseconds());
            upsert.Parameters.AddWithValue("$masked", declaration.MaskedName);
            upsert.Parameters.AddWithValue("$tail", declaration.IdTail);
            upsert.Parameters.AddWithValue("$id", declaration.IdNumber);
            upsert.Parameters.AddWithValue("$name", declaration.FullName);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        var code = await FindCodeAsync(connection, transaction, residentId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return code!;
    }

    public async Task<CodeRecord?> FindCodeAsync(string residentId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await FindCodeAsync(connection, null, residentId, cancellationToken);
    }

    public async Task<CodeRecord?> FindCodeByIdAsync(string codeId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {CodeColumns} FROM codes WHERE code_id = $code";
        command.Parameters.AddWithValue("$code", codeId);
        return await ReadCodeAsync(command, cancellationToken);
    }

    public async Task<CodeRecord?> FindCodeByIdCardAsync(string idNumber, string fullName, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // One person may declare from two phones: the latest declaration is their status.
        command.CommandText = $"""
            SELECT {CodeColumns} FROM codes
            WHERE id_number = $id AND full_name = $name
            ORDER BY updated_at DESC LIMIT 1
            """;
        command.Parameters.AddWithValue("$id", idNumber);
        command.Parameters.AddWithValue("$name", fullName);
        return await ReadCodeAsync(command, cancellationToken);
    }

    public async IAsyncEnumerable<(string CodeId, int StatusVersion)> GetStatusVersionsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT code_id, status_version FROM codes";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return (reader.GetString(0), reader.GetInt32(1));
        }
    }

    private const string CodeColumns = "code_id, color, reasons, green_after, status_version, updated_at, masked_name, id_tail";

    private static async Task<CodeRecord?> FindCodeAsync(SqliteConnection connection, SqliteTransaction? transaction, string residentId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {CodeColumns} FROM codes WHERE resident_id = $resident";
        command.Parameters.AddWithValue("$resident", residentId);
        return await ReadCodeAsync(command, cancellationToken);
    }

    private static async Task<CodeRecord?> ReadCodeAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new CodeRecord(
            reader.GetString(0),
            (CodeColor)reader.GetInt32(1),
            reader.GetString(2),
            reader.IsDBNull(3) ? null : DateOnly.ParseExact(reader.GetString(3), "yyyy-MM-dd", CultureInfo.InvariantCulture),
            reader.GetInt32(4),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
            reader.GetString(6),
            reader.GetString(7));
    }

    /// <summary>An opaque random id: 12 bytes, 16 base64url characters, short enough for the QR.</summary>
    private static string NewId() => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12));

    private Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) => database.OpenAsync(cancellationToken);
}
