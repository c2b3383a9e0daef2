using System.Text.Json;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Trust.Keys;

namespace HealthCode.Api.Features.Catalog;

/// <summary>
/// <c>POST /api/v1/admin/departments {code, name, key}</c> (DESIGN §9): an operator registers a department that
/// publishes data, with the public ES256 JWK it signs its batches with. The same code again replaces the name and
/// the key: a department rotating its key (batches signed with the old key are refused from then on).
/// </summary>
internal sealed record RegisterDepartment(string? Code, string? Name, JsonElement? Key) : ICommand<Result<DepartmentRegistered>>;

/// <param name="Replaced">The code was registered before: its key (and name) were replaced.</param>
internal sealed record DepartmentRegistered(DepartmentView Department, bool Replaced);

/// <summary>A department as operators see it: its code, name, public key and that key's id (DESIGN §4.1).</summary>
internal sealed record DepartmentView(string Code, string Name, string Kid, JsonElement Key, DateTimeOffset AddedAt)
{
    public static DepartmentView From(DepartmentRecord department)
    {
        using var key = JsonDocument.Parse(department.KeyJwk);
        return new(department.Code, department.Name, department.Kid, key.RootElement.Clone(), department.AddedAt);
    }
}

internal sealed class RegisterDepartmentValidator : IValidator<RegisterDepartment>
{
    public IReadOnlyList<FieldError> Validate(RegisterDepartment message)
    {
        var errors = new List<FieldError>();
        if (!CatalogVocabulary.IsDepartmentCode(message.Code))
        {
            errors.Add(new FieldError("code", message.Code is null ? "required" : "department_code_invalid",
                "Enter the department's code: 1 to 16 capital letters, digits and '-', starting and ending with a letter or digit, e.g. CDC, GA, LAB-01."));
        }

        if (!FieldRules.IsName(message.Name))
        {
            errors.Add(new FieldError("name", "required", "Enter the department's name (1 to 50 characters)."));
        }

        using var key = DepartmentKey.Read(message.Key, out var keyError);
        if (keyError is not null)
        {
            errors.Add(keyError);
        }

        return errors;
    }
}

/// <summary>The <c>key</c> of a department: an EC P-256 public JWK (RFC 7517, RFC 7518 §6.2), never a private one.</summary>
internal static class DepartmentKey
{
    /// <returns>The key, which the caller disposes; null with <paramref name="error"/> set when it is refused.</returns>
    public static EcKey? Read(JsonElement? jwk, out FieldError? error)
    {
        error = null;
        if (jwk is not { ValueKind: JsonValueKind.Object } element)
        {
            error = new FieldError("key", jwk is null or { ValueKind: JsonValueKind.Null } ? "required" : "key_invalid",
                "Paste the department's public key as a JWK object (kty EC, crv P-256), as `healthcode keys generate` writes it to <name>.public.jwk.");
            return null;
        }

        // RFC 7518 §6.2.2.1: "d" is the private key. Refused before it is even read: a department signs its own
        // batches, and a private key that reached this service (or the operator's clipboard) has to be replaced.
        if (element.TryGetProperty("d", out _))
        {
            error = new FieldError("key", "key_is_private",
                "This JWK holds a private key (member \"d\"). Send only the public key (<name>.public.jwk); a department never hands over its private key, and one that was sent should be replaced with a new key pair.");
            return null;
        }

        try
        {
            return EcKey.FromJwk(element.GetRawText());
        }
        catch (InvalidKeyException e)
        {
            error = new FieldError("key", "key_invalid", $"The key is not an ES256 public JWK: {e.Message}");
            return null;
        }
    }

    /// <summary>Whether a stored department signs with <paramref name="key"/> (same RFC 7638 thumbprint).</summary>
    public static bool IsHeldBy(DepartmentRecord department, EcKey key)
    {
        try
        {
            using var held = EcKey.FromJwk(department.KeyJwk);
            return held.Thumbprint == key.Thumbprint;
        }
        catch (InvalidKeyException)
        {
            return false;
        }
    }
}

internal sealed class RegisterDepartmentHandler(ICatalogStore store, IHostEnvironment environment, TimeProvider time)
    : ICommandHandler<RegisterDepartment, Result<DepartmentRegistered>>
{
    public async ValueTask<Result<DepartmentRegistered>> Handle(RegisterDepartment command, CancellationToken cancellationToken)
    {
        using var key = DepartmentKey.Read(command.Key, out _)!;
        // DESIGN §7: the keys in keys-sample/ are public, private parts included; outside Development a department
        // registered with one would let anyone sign its batches.
        if (!environment.IsDevelopment() && SampleKeys.IsSample(key))
        {
            return new ApiProblem(StatusCodes.Status400BadRequest, "key_is_sample", "This is a public sample key from keys-sample/.",
                "Outside Development a department signs with a key of its own: make one with `healthcode keys generate --department <code>` and register its public part.",
                [new FieldError("key", "key_is_sample", "Register the department's own key, not a sample key.")]);
        }

        var departments = await store.ListDepartmentsAsync(cancellationToken);
        // One key, one department: a batch's signature then names the one department that answers for it.
        if (departments.FirstOrDefault(d => d.Code != command.Code && DepartmentKey.IsHeldBy(d, key)) is { } holder)
        {
            return new ApiProblem(StatusCodes.Status409Conflict, "key_in_use", "Another department signs with this key.",
                $"Department {holder.Code} is registered with this key; each department signs with a key of its own.",
                [new FieldError("key", "key_in_use", $"Department {holder.Code} is registered with this key.")]);
        }

        var existing = departments.FirstOrDefault(d => d.Code == command.Code);
        var department = new DepartmentRecord(command.Code!, command.Name!.Trim(), key.ToPublicJwk(), key.Kid, existing?.AddedAt ?? time.GetUtcNow());
        await store.SaveDepartmentAsync(department, cancellationToken);
        // As stored (times to the millisecond), so this answer and GET /departments agree.
        var saved = await store.FindDepartmentAsync(department.Code, cancellationToken) ?? department;
        return new DepartmentRegistered(DepartmentView.From(saved), existing is not null);
    }
}

internal static class RegisterDepartmentEndpoint
{
    public static void MapRegisterDepartment(this RouteGroupBuilder group) => group
        .MapPost("/departments", async Task<Results<Created<DepartmentView>, Ok<DepartmentView>, ProblemHttpResult>> (
            JsonBody<RegisterDepartment> body, IMediator mediator, CancellationToken ct) =>
        {
            if (body.Problem is { } invalid)
            {
                return invalid.ToResult();
            }

            return (await mediator.Send(body.Value!, ct)).Match<Results<Created<DepartmentView>, Ok<DepartmentView>, ProblemHttpResult>>(
                registered => registered.Replaced ? TypedResults.Ok(registered.Department) : TypedResults.Created((string?)null, registered.Department),
                problem => problem.ToResult());
        })
        .Accepts<RegisterDepartment>("application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .WithName("RegisterDepartment")
        .WithSummary("Register a department, or replace its key")
        .WithDescription("code: 1 to 16 capital letters, digits and '-' (CDC, GA, JT, LAB-01); name; key: the public ES256 JWK (EC P-256) the department signs its batches with. 201 for a new department; 200 when the code was registered before and its name and key are replaced (a key rotation: batches signed with the old key are refused from then on). 400 key_is_private for a JWK with \"d\" (a department never sends its private key), key_invalid for anything but an EC P-256 public JWK; 409 key_in_use when another department signs with the same key. The answer carries the key's kid (RFC 7638 thumbprint, truncated, as in batch manifests).");
}
