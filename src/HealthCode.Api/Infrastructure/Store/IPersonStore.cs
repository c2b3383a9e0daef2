using HealthCode.Trust;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>
/// Persons and the phone accounts they are bound to (DESIGN §8): an account has at most one holder
/// and up to five dependants; a person is bound to at most one account. What belongs to a person
/// (code, declaration history, shared facts) is found through the person, never through the account.
/// </summary>
internal interface IPersonStore
{
    Task<PersonRecord?> FindByIdNumberAsync(string idNumber, CancellationToken cancellationToken);

    /// <summary>The account's holder: the person of its first accepted declaration; null before it.</summary>
    Task<PersonRecord?> FindHolderAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>The holder or a dependant of this account with this id; null for anyone else's.</summary>
    Task<PersonRecord?> FindOnAccountAsync(string accountId, string personId, CancellationToken cancellationToken);

    Task<IReadOnlyList<DependantRecord>> ListDependantsAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>Binds the person with this ID number to the account as a dependant, creating the person when new.</summary>
    Task<BindResult> AddDependantAsync(string accountId, string idNumber, string fullName, int maxDependants, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Unbinds a dependant; the person keeps their code and history. False when not this account's dependant.</summary>
    Task<bool> RemoveDependantAsync(string accountId, string personId, CancellationToken cancellationToken);

    /// <summary>The account that logged in with this phone, if any.</summary>
    Task<string?> FindAccountByPhoneAsync(string phone, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a holder and their dependants from one account to another that has no holder yet, and
    /// records how (<paramref name="method"/>) and why. False when the person is no longer the holder of
    /// <paramref name="fromAccount"/> or the target already has a holder.
    /// </summary>
    Task<bool> MoveHolderAsync(string personId, string fromAccount, string toAccount, string method, string? reason, DateTimeOffset now, CancellationToken cancellationToken);
}

internal enum PersonRole
{
    Holder,
    Dependant,
}

/// <summary>A person; <c>AccountId</c>, <c>Role</c> and <c>AccountPhone</c> are null while no account holds them.</summary>
internal sealed record PersonRecord(string Id, string IdNumber, string FullName, string? AccountId, PersonRole? Role, string? AccountPhone);

/// <summary>A dependant as the holder's page lists them, with their code's colour once they have one.</summary>
internal sealed record DependantRecord(PersonRecord Person, CodeColor? Color, DateTimeOffset? UpdatedAt);

internal enum BindOutcome
{
    /// <summary>The person is now (or already was) bound to the account in the asked role.</summary>
    Bound,

    /// <summary>The ID number is held by a person of another name: the name or the number is wrong.</summary>
    NameMismatch,

    /// <summary>Another account holds the person.</summary>
    BoundElsewhere,

    /// <summary>This account holds the person in the other role (a holder as their own dependant, or the reverse).</summary>
    BoundHereOtherwise,

    /// <summary>The account already has its holder, or its five dependants.</summary>
    AccountFull,
}

internal sealed record BindResult(BindOutcome Outcome, PersonRecord? Person);
