using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Identity;

/// <summary>The refusals of DESIGN §8, each with a stable code and what the resident can do.</summary>
internal static class IdentityProblems
{
    /// <summary><c>identity_mismatch</c>: every field that differs from the person the account (or the chosen family member) is.</summary>
    public static ApiProblem Mismatch(PersonRecord person, string? idNumber, string? name)
    {
        var errors = new List<FieldError>();
        if (!string.Equals(idNumber?.Trim(), person.IdNumber, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new FieldError("idNumber", "identity_mismatch",
                $"This code is for the person whose ID number ends in {IdNumber.Tail(person.IdNumber)}; declare with that number, or add the other person as a family member."));
        }

        if (name?.Trim() != person.FullName)
        {
            errors.Add(new FieldError("name", "identity_mismatch",
                $"This code is for {IdNumber.MaskName(person.FullName)}; enter the name exactly as on that person's ID card."));
        }

        return new ApiProblem(
            StatusCodes.Status409Conflict,
            "identity_mismatch",
            "The declaration names a different person from the one this code belongs to.",
            "An account declares for its holder (the person of its first declaration) and the family members it added; each person keeps one code.",
            errors);
    }

    /// <summary><c>identity_bound_elsewhere</c>: the person is held by another phone, named masked.</summary>
    public static ApiProblem BoundElsewhere(PersonRecord person)
    {
        var phone = Secrets.MaskPhone(person.AccountPhone ?? "");
        return new ApiProblem(
            StatusCodes.Status409Conflict,
            "identity_bound_elsewhere",
            $"This ID number is already held by the phone {phone}.",
            "One person has one code. To move the person to this phone, confirm with a one-time code sent to the old phone (POST /api/v1/me/transfer), or ask the health-code service desk to move it.",
            [new FieldError("idNumber", "identity_bound_elsewhere", $"This person's code is held by {phone}.")])
        {
            Extensions = new Dictionary<string, object?> { ["heldBy"] = phone },
        };
    }

    /// <summary><c>identity_not_found</c>: the population register (DESIGN §8, §9) does not hold this ID number with this name.</summary>
    public static readonly ApiProblem NotInRegister = new(
        StatusCodes.Status409Conflict,
        "identity_not_found",
        "The population register has no person with this ID number and this name.",
        "Enter the name and the ID number exactly as on the ID card. If they are right, the household registration office can correct the register.",
        [
            new FieldError("idNumber", "identity_not_found", "Check the ID number against the ID card."),
            new FieldError("name", "identity_not_found", "Check the name against the ID card."),
        ]);

    /// <summary>The ID number belongs to one of this account's family members.</summary>
    public static readonly ApiProblem IsDependant = new(
        StatusCodes.Status409Conflict,
        "identity_is_dependant",
        "This person is a family member on this account.",
        "Choose them in the family list to declare for them, or remove them from the family first.",
        [new FieldError("idNumber", "identity_is_dependant", "This ID number is one of your family members.")]);

    /// <summary>The person is not the holder or a family member of this account (or does not exist: the answer does not say which).</summary>
    public static readonly ApiProblem PersonNotFound = ApiProblem.NotFound(
        "person_not_found", "This account has no family member with this id. Reload the family list.");

    /// <summary>The refusal for a binding the store did not make.</summary>
    public static ApiProblem From(BindResult refused, string? idNumber, string? name) => refused.Outcome switch
    {
        BindOutcome.BoundElsewhere => BoundElsewhere(refused.Person!),
        BindOutcome.BoundHereOtherwise => IsDependant,
        BindOutcome.NameMismatch => Mismatch(refused.Person!, idNumber, name),
        _ => new ApiProblem(StatusCodes.Status409Conflict, "identity_mismatch",
            "This account already declared for another person a moment ago.", "Reload the page: the account's holder is fixed by its first declaration."),
    };
}
