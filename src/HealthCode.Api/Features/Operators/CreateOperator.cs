using System.Security.Claims;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Operators;

/// <summary>The body of <c>POST /api/v1/admin/operators</c>.</summary>
internal sealed record CreateOperatorRequest(string? Name, IReadOnlyList<string?>? Roles);

/// <summary>
/// <c>POST /api/v1/admin/operators {name, roles}</c> (DESIGN §10): an admin (first the bootstrap key) creates a named
/// operator account with its roles and gets its bearer token, shown this once. <paramref name="CreatedBy"/> is the
/// caller's operator id.
/// </summary>
internal sealed record CreateOperator(string? Name, IReadOnlyList<string?>? Roles, string CreatedBy) : ICommand<Result<OperatorCreated>>;

/// <param name="Token">The operator's bearer token; shown once, stored only as a hash.</param>
internal sealed record OperatorCreated(string OperatorId, string Name, IReadOnlyList<string> Roles, string Token, DateTimeOffset ExpiresAt);

internal sealed class CreateOperatorValidator : IValidator<CreateOperator>
{
    public const int MaxRoles = 16;

    public IReadOnlyList<FieldError> Validate(CreateOperator message)
    {
        var errors = new List<FieldError>();
        if (!FieldRules.IsName(message.Name))
        {
            errors.Add(new FieldError("name", "required", "Enter the operator's name (1 to 50 characters)."));
        }
        else if (string.Equals(message.Name!.Trim(), OperatorPrincipal.BootstrapName, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new FieldError("name", "name_reserved", "'bootstrap' is how the audit names the configured key: give the operator's own name."));
        }

        if (message.Roles is not { Count: > 0 } roles)
        {
            errors.Add(new FieldError("roles", "roles_required", "Give the operator at least one role: admin, health, auditor, department:<code> or office:<region>."));
            return errors;
        }

        if (roles.Count > MaxRoles)
        {
            errors.Add(new FieldError("roles", "roles_too_many", $"Give at most {MaxRoles} roles."));
            return errors;
        }

        for (var i = 0; i < roles.Count; i++)
        {
            if (RoleError(roles[i]) is { } error)
            {
                errors.Add(new FieldError($"roles[{i}]", error.Code, error.Message));
            }
            else if (roles.Take(i).Contains(roles[i], StringComparer.Ordinal))
            {
                errors.Add(new FieldError($"roles[{i}]", "role_duplicate", $"'{roles[i]}' is given twice: give each role once."));
            }
        }

        return errors;
    }

    /// <summary>Why <paramref name="role"/> is not one of DESIGN §10's roles; null when it is.</summary>
    private static (string Code, string Message)? RoleError(string? role) => role switch
    {
        OperatorRoles.Admin or OperatorRoles.Health or OperatorRoles.Auditor => null,
        not null when role.StartsWith(OperatorRoles.DepartmentPrefix, StringComparison.Ordinal) =>
            Catalog.CatalogVocabulary.IsDepartmentCode(role[OperatorRoles.DepartmentPrefix.Length..])
                ? null
                : ("department_invalid", "Give the department's code: 1 to 16 upper-case letters, digits or '-', e.g. department:CDC."),
        not null when role.StartsWith(OperatorRoles.OfficePrefix, StringComparison.Ordinal) =>
            RegionCodes.IsAreaPrefix(role[OperatorRoles.OfficePrefix.Length..])
                ? null
                : ("office_invalid", "Give the office's area as a GB/T 2260 code or prefix that exists: 2 digits (a province), 4 (a prefecture) or 6, e.g. office:410105."),
        _ => ("role_invalid", "Use one of admin, health, auditor, department:<code>, office:<region>."),
    };
}

internal sealed class CreateOperatorHandler(IOperatorStore operators, IOptions<OperatorOptions> options, TimeProvider time)
    : ICommandHandler<CreateOperator, Result<OperatorCreated>>
{
    public async ValueTask<Result<OperatorCreated>> Handle(CreateOperator command, CancellationToken cancellationToken)
    {
        // To the millisecond, as the store keeps it: the expiresAt answered is the one the token is checked against.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
        var token = Secrets.NewToken();
        var account = new OperatorRecord(
            Secrets.NewId("op_"),
            command.Name!.Trim(),
            [.. command.Roles!.OfType<string>()],
            Secrets.Hash(token),
            now,
            now + options.Value.TokenLifetime,
            null,
            command.CreatedBy);
        await operators.CreateAsync(account, cancellationToken);
        return new OperatorCreated(account.Id, account.Name, account.Roles, token, account.ExpiresAt);
    }
}

internal static class CreateOperatorEndpoint
{
    public static void MapCreateOperator(this RouteGroupBuilder group) => group
        .MapPost("/operators", async Task<Results<Created<OperatorCreated>, ProblemHttpResult>> (
            JsonBody<CreateOperatorRequest> body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            body.Problem is { } invalid
                ? invalid.ToResult()
                : await mediator.Send(new CreateOperator(body.Value!.Name, body.Value.Roles, user.OperatorId()), ct)
                    .Answer(created => TypedResults.Created($"/api/v1/admin/operators/{created.OperatorId}", created)))
        .Accepts<CreateOperatorRequest>("application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .WithName("CreateOperator")
        .WithSummary("Create a named operator account (role admin)")
        .WithDescription("""
            DESIGN §10: the configured key (HealthCode:Admin:ApiKey) only bootstraps; operators act under their own names.
            roles: any of admin (staff, partners, keys, departments, catalogue, operators), health (disputes, overrides),
            auditor (audit and data-use logs), department:<code> (1 to 16 of A-Z, 0-9, '-'), office:<region> (a GB/T 2260
            code or prefix of 2, 4 or 6 digits that exists). Every invalid field is named (validation_failed, errors[]).
            Answers the account's bearer token (Authorization: Bearer <token>), shown this once and stored only as a hash,
            valid for HealthCode:Operators:TokenLifetime (default 30 days) or until revoked.
            """);
}
