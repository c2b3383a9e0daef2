using System.Text.RegularExpressions;
using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Staff;

/// <summary><c>POST /api/v1/admin/staff {name, checkpointId}</c>: an operator enrols a checkpoint staff member.</summary>
internal sealed record CreateStaff(string? Name, string? CheckpointId) : ICommand<Result<StaffCreated>>;

/// <param name="Token">The bearer token for the scanner; shown once, stored only as a hash.</param>
internal sealed record StaffCreated(string StaffId, string CheckpointId, string Token, DateTimeOffset ExpiresAt);

internal sealed partial class CreateStaffValidator : IValidator<CreateStaff>
{
    public IReadOnlyList<FieldError> Validate(CreateStaff message)
    {
        var errors = new List<FieldError>();
        if (!FieldRules.IsName(message.Name))
        {
            errors.Add(new FieldError("name", "required", "Enter the staff member's name (1 to 50 characters)."));
        }

        if (!CheckpointIds.IsValid(message.CheckpointId))
        {
            errors.Add(new FieldError("checkpointId", "checkpoint_invalid", "Enter the checkpoint id: 1 to 64 letters, digits, '-' or '_'."));
        }

        return errors;
    }
}

internal static partial class CheckpointIds
{
    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex Pattern();
}

internal sealed class CreateStaffHandler(StaffDirectory staff, IOptions<HealthCodeOptions> options, TimeProvider time)
    : ICommandHandler<CreateStaff, Result<StaffCreated>>
{
    public async ValueTask<Result<StaffCreated>> Handle(CreateStaff command, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var token = Secrets.NewToken();
        var member = new StaffRecord(
            Secrets.NewId("st_"),
            command.Name!.Trim(),
            command.CheckpointId!,
            Secrets.Hash(token),
            now,
            now + options.Value.Staff.TokenLifetime,
            null);
        await staff.CreateAsync(member, cancellationToken);
        return new StaffCreated(member.Id, member.CheckpointId, token, member.ExpiresAt);
    }
}

internal static class CreateStaffEndpoint
{
    public static void MapCreateStaff(this RouteGroupBuilder group) => group
        .MapPost("/staff", async Task<Results<Created<StaffCreated>, ProblemHttpResult>> (JsonBody<CreateStaff> body, IMediator mediator, CancellationToken ct) =>
            body.Problem is { } invalid
                ? invalid.ToResult()
                : await mediator.Send(body.Value!, ct).Answer(created => TypedResults.Created($"/api/v1/admin/staff/{created.StaffId}", created)))
        .Accepts<CreateStaff>("application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .WithName("CreateStaff")
        .WithSummary("Enrol a checkpoint staff member")
        .WithDescription("Returns a bearer token for the scanner page and the verify and lookup endpoints, valid for one shift (HealthCode:Staff:TokenLifetime).");
}
