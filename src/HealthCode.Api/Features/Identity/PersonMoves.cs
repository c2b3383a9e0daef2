using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Infrastructure.Audit;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Identity;

/// <summary>Moves a holder to another account and writes the move to the audit log, however it was agreed.</summary>
internal sealed class PersonMoves(IPersonStore persons, IHealthCodeStore codes, AuditLog audit, TimeProvider time)
{
    public const string AuditAction = "person_transfer";

    public async Task<Result<PersonMoved>> MoveAsync(PersonRecord person, string toAccount, string method, string? reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (person.AccountId == toAccount)
        {
            return new PersonMoved(person.Id, IdNumber.MaskName(person.FullName), IdNumber.Tail(person.IdNumber));
        }

        if (!await persons.MoveHolderAsync(person.Id, person.AccountId!, toAccount, method, reason, now, cancellationToken))
        {
            return new ApiProblem(StatusCodes.Status409Conflict, "holder_exists", "The new phone already holds a person.",
                "One phone holds one holder: the person on the new phone must move or be moved first.");
        }

        // The audit names no person: the code id is pseudonymous (DESIGN §10); the reason is kept with the move.
        var code = await codes.FindCodeAsync(person.Id, cancellationToken);
        var recorded = await audit.RecordAsync(
            new AuditEvent(now, "accounts", method == "operator" ? "operator" : "resident", AuditAction, null, code?.CodeId, $"moved_by_{method}"), cancellationToken);
        if (recorded.Problem is not null)
        {
            // The move is kept (person_transfers holds who, how and why); the answer says the audit lacks it.
            return AuditLog.Unavailable with
            {
                Title = "The person was moved, but the move could not be written to the audit log.",
                Detail = "Tell the operator: the audit store is not taking entries; the move itself is recorded with the person.",
            };
        }

        return new PersonMoved(person.Id, IdNumber.MaskName(person.FullName), IdNumber.Tail(person.IdNumber));
    }
}
