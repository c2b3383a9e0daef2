using System.Data.Common;
using Dapper;
using HealthCode.Api.Infrastructure.Privacy;
using HealthCode.Trust;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>
/// Persons and their accounts, through Dapper, on either engine (<see cref="IStoreDatabase"/>). ID numbers, names and
/// phones are stored encrypted, each sealed to its row, and found by their blind indexes (DESIGN §11).
/// </summary>
internal sealed class PersonStore(IStoreDatabase database, PersonalFields personal) : IPersonStore
{
    private const string PersonColumns = "p.id AS Id, p.id_number AS IdNumber, p.full_name AS FullName, p.account_id AS AccountId, p.role AS Role, r.phone AS AccountPhone";
    private const string PersonFrom = "persons p LEFT JOIN residents r ON r.id = p.account_id";

    public async Task<PersonRecord?> FindByIdNumberAsync(string idNumber, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await FindByIdNumberAsync(connection, null, personal, idNumber, cancellationToken);
    }

    public Task<PersonRecord?> FindHolderAsync(string accountId, CancellationToken cancellationToken) =>
        QuerySingleAsync($"SELECT {PersonColumns} FROM {PersonFrom} WHERE p.account_id = @accountId AND p.role = 'holder'", new { accountId }, cancellationToken);

    public Task<PersonRecord?> FindOnAccountAsync(string accountId, string personId, CancellationToken cancellationToken) =>
        QuerySingleAsync($"SELECT {PersonColumns} FROM {PersonFrom} WHERE p.id = @personId AND p.account_id = @accountId", new { accountId, personId }, cancellationToken);

    public async Task<IReadOnlyList<DependantRecord>> ListDependantsAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<DependantRow>(new CommandDefinition(
            $"""
            SELECT {PersonColumns}, c.color AS Color, c.updated_at AS UpdatedAt
            FROM {PersonFrom} LEFT JOIN codes c ON c.person_id = p.id
            WHERE p.account_id = @accountId AND p.role = 'dependant'
            ORDER BY p.bound_at, p.id
            """,
            new { accountId },
            cancellationToken: cancellationToken));
        return [.. rows.Select(r => new DependantRecord(
            r.ToPerson(personal),
            r.Color is { } color ? (CodeColor)color : null,
            r.UpdatedAt is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null))];
    }

    public async Task<BindResult> AddDependantAsync(string accountId, string idNumber, string fullName, int maxDependants, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // The count and the binding are one decision, never two at once: SQLite's write transaction is the only one;
        // on PostgreSQL the account's row is locked first, so a second AddDependant for it waits for this one.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockAccountAsync(connection, transaction, accountId, cancellationToken);
        var held = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM persons WHERE account_id = @accountId AND role = 'dependant'",
            new { accountId }, transaction, cancellationToken: cancellationToken));
        var existing = await FindByIdNumberAsync(connection, transaction, personal, idNumber, cancellationToken);
        if (held >= maxDependants && !(existing?.AccountId == accountId && existing.Role == PersonRole.Dependant))
        {
            return new BindResult(BindOutcome.AccountFull, null);
        }

        var result = await BindAsync(connection, transaction, database.Dialect, personal, accountId, idNumber, fullName, PersonRole.Dependant, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    public async Task<bool> RemoveDependantAsync(string accountId, string personId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE persons SET account_id = NULL, role = NULL, bound_at = NULL WHERE id = @personId AND account_id = @accountId AND role = 'dependant'",
            new { accountId, personId }, cancellationToken: cancellationToken)) == 1;
    }

    public async Task<string?> FindAccountByPhoneAsync(string phone, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT id FROM residents WHERE phone_index = @index", new { index = personal.Index(PrivacyField.Phone, phone) }, cancellationToken: cancellationToken));
    }

    public async Task<bool> MoveHolderAsync(string personId, string fromAccount, string toAccount, string method, string? reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockAccountAsync(connection, transaction, toAccount, cancellationToken);
        var at = now.ToUnixTimeMilliseconds();
        var targetHasHolder = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM persons WHERE account_id = @toAccount AND role = 'holder'",
            new { toAccount }, transaction, cancellationToken: cancellationToken)) > 0;
        var moved = !targetHasHolder && await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE persons SET account_id = @toAccount, bound_at = @at WHERE id = @personId AND account_id = @fromAccount AND role = 'holder'",
            new { personId, fromAccount, toAccount, at }, transaction, cancellationToken: cancellationToken)) == 1;
        if (!moved)
        {
            return false;
        }

        // The family moves with its holder: an account without a holder cannot declare for anyone.
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO person_transfers (at, person_id, from_account, to_account, method, reason)
                SELECT @at, id, @fromAccount, @toAccount, @method, @reason FROM persons WHERE account_id = @fromAccount OR id = @personId;
            UPDATE persons SET account_id = @toAccount, bound_at = @at WHERE account_id = @fromAccount AND role = 'dependant';
            """,
            new { personId, fromAccount, toAccount, at, method, reason }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Binds the person with <paramref name="idNumber"/> to <paramref name="accountId"/> in
    /// <paramref name="role"/>, inside the caller's transaction: a new ID number becomes a person; a
    /// person no account holds is bound when the name matches; anyone else's person is left alone. The name is compared
    /// decrypted, in code, rather than through an index of names, which would show which persons share a name.
    /// </summary>
    internal static async Task<BindResult> BindAsync(
        DbConnection connection, DbTransaction transaction, SqlDialect dialect, PersonalFields personal, string accountId, string idNumber, string fullName,
        PersonRole role, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var at = now.ToUnixTimeMilliseconds();
        var roleName = RoleName(role);
        // On PostgreSQL a refused statement ends the transaction unless it ran in a savepoint given back afterwards.
        var savepoint = dialect.Engine == StoreEngine.Postgres;
        if (savepoint)
        {
            await transaction.SaveAsync("bind", cancellationToken);
        }

        var id = PersonIds.New(at);
        var index = personal.Index(PrivacyField.IdNumber, idNumber);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO persons (id, id_number, id_number_index, full_name, created_at) VALUES (@id, @idNumber, @index, @fullName, @at)
                    ON CONFLICT(id_number_index) DO NOTHING
                """,
                new { id, idNumber = personal.Seal(PrivacyField.IdNumber, idNumber, id), index, fullName = personal.Seal(PrivacyField.FullName, fullName, id), at },
                transaction, cancellationToken: cancellationToken));
            var found = await FindByIdNumberAsync(connection, transaction, personal, idNumber, cancellationToken);
            if (found is { AccountId: null } && found.FullName == fullName)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE persons SET account_id = @accountId, role = @roleName, bound_at = @at WHERE id = @personId AND account_id IS NULL",
                    new { personId = found.Id, at, accountId, roleName }, transaction, cancellationToken: cancellationToken));
            }
        }
        catch (DbException e) when (SqlDialect.IsConstraintViolation(e))
        {
            // persons_one_holder_per_account: this account declared another person first, a moment ago.
            if (savepoint)
            {
                await transaction.RollbackAsync("bind", cancellationToken);
            }

            return new BindResult(BindOutcome.AccountFull, null);
        }

        var person = (await FindByIdNumberAsync(connection, transaction, personal, idNumber, cancellationToken))!;
        var outcome = person switch
        {
            { AccountId: null } => BindOutcome.NameMismatch,
            _ when person.AccountId != accountId => BindOutcome.BoundElsewhere,
            _ when person.Role != role => BindOutcome.BoundHereOtherwise,
            _ when person.FullName != fullName => BindOutcome.NameMismatch,
            _ => BindOutcome.Bound,
        };
        return new BindResult(outcome, person);
    }

    /// <summary>
    /// Locks the account's row until the transaction ends, where transactions run side by side (PostgreSQL); SQLite's
    /// write transaction already excludes every other writer.
    /// </summary>
    private async Task LockAccountAsync(DbConnection connection, DbTransaction transaction, string accountId, CancellationToken cancellationToken)
    {
        if (database.Dialect.Engine == StoreEngine.Postgres)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT id FROM residents WHERE id = @accountId FOR UPDATE", new { accountId }, transaction, cancellationToken: cancellationToken));
        }
    }

    private static string RoleName(PersonRole role) => role == PersonRole.Holder ? "holder" : "dependant";

    private static async Task<PersonRecord?> FindByIdNumberAsync(
        DbConnection connection, DbTransaction? transaction, PersonalFields personal, string idNumber, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<PersonRow>(new CommandDefinition(
            $"SELECT {PersonColumns} FROM {PersonFrom} WHERE p.id_number_index = @index",
            new { index = personal.Index(PrivacyField.IdNumber, idNumber) }, transaction, cancellationToken: cancellationToken));
        return row?.ToPerson(personal);
    }

    private async Task<PersonRecord?> QuerySingleAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<PersonRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
        return row?.ToPerson(personal);
    }

    private class PersonRow
    {
        public string Id { get; init; } = "";

        public string IdNumber { get; init; } = "";

        public string FullName { get; init; } = "";

        public string? AccountId { get; init; }

        public string? Role { get; init; }

        public string? AccountPhone { get; init; }

        /// <summary>The person, decrypted: each value with the row it was sealed to (the person, or the account for its phone).</summary>
        public PersonRecord ToPerson(PersonalFields personal) => new(
            Id,
            personal.Open(PrivacyField.IdNumber, IdNumber, Id),
            personal.Open(PrivacyField.FullName, FullName, Id),
            AccountId,
            Role switch { "holder" => PersonRole.Holder, "dependant" => PersonRole.Dependant, _ => null },
            AccountId is null ? null : personal.Open(PrivacyField.Phone, AccountPhone, AccountId));
    }

    private sealed class DependantRow : PersonRow
    {
        public long? Color { get; init; }

        public long? UpdatedAt { get; init; }
    }
}
