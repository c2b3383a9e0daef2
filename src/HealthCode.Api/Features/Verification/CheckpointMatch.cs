using HealthCode.Api.Infrastructure.Auth;

namespace HealthCode.Api.Features.Verification;

internal static class CheckpointMatch
{
    /// <summary>A staff token is issued for one checkpoint; a request naming another is refused.</summary>
    public static FieldError? Check(StaffMember staff, string? checkpointId) => checkpointId == staff.CheckpointId
        ? null
        : new FieldError("checkpointId", "checkpoint_mismatch", $"This staff token is for checkpoint '{staff.CheckpointId}'; send that checkpointId.");
}
