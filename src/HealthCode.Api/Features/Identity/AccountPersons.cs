using HealthCode.Api.Features.DataUseLog;
using HealthCode.Api.Features.Sharing;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Identity;

/// <summary>
/// Which person a resident's request is about (DESIGN §8): the account's holder when no
/// <c>personId</c> is given, else one of the account's own family members; never anyone else's.
/// </summary>
internal sealed class AccountPersons(IPersonStore persons, IFactStore facts, IDataUseStore dataUse, TimeProvider time)
{
    /// <summary>The person a code request is about; <paramref name="noHolder"/> answers an account that has not declared yet.</summary>
    public async Task<Result<PersonRecord>> FindAsync(string accountId, string? personId, ApiProblem noHolder, CancellationToken cancellationToken)
    {
        if (personId is null)
        {
            return await persons.FindHolderAsync(accountId, cancellationToken) is { } holder ? holder : noHolder;
        }

        return await persons.FindOnAccountAsync(accountId, personId, cancellationToken) is { } person ? person : IdentityProblems.PersonNotFound;
    }

    /// <summary>
    /// Who a declaration with this ID number and name is for: the chosen family member or the holder,
    /// when the declared identity is theirs (else <c>identity_mismatch</c>, field by field); on an
    /// account's first declaration, the person to bind as its holder, unless another phone holds them.
    /// The answer's <see cref="DeclarationTarget.PersonId"/> is null for a person not yet known.
    /// </summary>
    public async Task<Result<DeclarationTarget>> TargetAsync(string accountId, string? personId, string idNumber, string name, CancellationToken cancellationToken)
    {
        var declared = (IdNumber: idNumber.Trim().ToUpperInvariant(), Name: name.Trim());
        var own = personId is null
            ? await persons.FindHolderAsync(accountId, cancellationToken)
            : await persons.FindOnAccountAsync(accountId, personId, cancellationToken);
        if (personId is not null && own is null)
        {
            return IdentityProblems.PersonNotFound;
        }

        if (own is not null)
        {
            return own.IdNumber == declared.IdNumber && own.FullName == declared.Name
                ? new DeclarationTarget(accountId, own.Id, own.IdNumber, own.FullName, BindAsHolder: false)
                : IdentityProblems.Mismatch(own, idNumber, name);
        }

        // The account's first declaration: its holder is who it names, unless that person is held elsewhere or the
        // population register, once loaded, does not know them.
        if (await NotInRegisterAsync(declared.IdNumber, declared.Name, cancellationToken) is { } unknown)
        {
            return unknown;
        }

        var existing = await persons.FindByIdNumberAsync(declared.IdNumber, cancellationToken);
        return existing switch
        {
            null => new DeclarationTarget(accountId, null, declared.IdNumber, declared.Name, BindAsHolder: true),
            { AccountId: null } when existing.FullName != declared.Name => IdentityProblems.Mismatch(existing, idNumber, name),
            // A person no phone holds (a former family member): their history comes with them.
            { AccountId: null } => new DeclarationTarget(accountId, existing.Id, existing.IdNumber, existing.FullName, BindAsHolder: true),
            _ when existing.AccountId == accountId => IdentityProblems.IsDependant,
            _ => IdentityProblems.BoundElsewhere(existing),
        };
    }

    /// <summary><c>identity_not_found</c> when the population register is loaded and does not hold this ID number with this name (DESIGN §8).</summary>
    public async Task<ApiProblem?> NotInRegisterAsync(string idNumber, string fullName, CancellationToken cancellationToken) =>
        (await facts.CheckRegisterAsync(idNumber, fullName, cancellationToken)).Answer == RegisterAnswer.DoesNotHold ? IdentityProblems.NotInRegister : null;

    /// <summary>
    /// Records that the register checked who a newly bound person is (DESIGN §10: an identity check is a use of the
    /// register's data about them), when it holds them.
    /// </summary>
    public async Task RecordIdentityCheckAsync(string personId, string idNumber, string fullName, string actor, CancellationToken cancellationToken)
    {
        var check = await facts.CheckRegisterAsync(idNumber, fullName, cancellationToken);
        if (check.Answer == RegisterAnswer.Holds)
        {
            await dataUse.AppendAsync([new DataUse(personId, DataUsePurposes.Identity, actor, check.Source, check.BatchId)], time.GetUtcNow(), cancellationToken);
        }
    }
}
