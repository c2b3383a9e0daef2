using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Federation;
using HealthCode.Api.Infrastructure.Keys;
using HealthCode.Api.Infrastructure.Verification;
using HealthCode.Trust.Keys;
using HealthCode.Trust.TrustLists;

namespace HealthCode.Api.Features.Keys;

/// <summary>An issuer key as operators see it.</summary>
internal sealed record IssuerKeyView(string Kid, int Number, string Status, DateTimeOffset CreatedAt, DateTimeOffset? RetiredAt, DateTimeOffset? RevokedAt, string? RevocationReason);

/// <summary>The keys after a change, and the trust list that now announces it.</summary>
internal sealed record KeysChanged(IReadOnlyList<IssuerKeyView> Keys, long TrustListSeq);

/// <summary><c>POST /api/v1/admin/keys/rotate</c>: a new active issuer key; the previous one is retired.</summary>
internal sealed record RotateKeys : ICommand<Result<KeysChanged>>;

/// <summary><c>POST /api/v1/admin/keys/{kid}/revoke {reason}</c>: a compromised key; every code it signed is rejected.</summary>
internal sealed record RevokeKey(string Kid, string? Reason) : ICommand<Result<KeysChanged>>;

internal sealed record RevokeKeyRequest(string? Reason);

internal sealed class RevokeKeyValidator : IValidator<RevokeKey>
{
    public IReadOnlyList<FieldError> Validate(RevokeKey message) => string.IsNullOrWhiteSpace(message.Reason) || message.Reason.Length > 500
        ? [new FieldError("reason", "required", "Say why the key is revoked (1 to 500 characters), e.g. 'private key leaked'.")]
        : [];
}

/// <summary>
/// Applies a key change everywhere it matters, in order: the key folder, this instance's signer,
/// the trust store that scans read, and the published trust list (seq + 1), so the change is in
/// the next list partners fetch.
/// </summary>
internal sealed class KeyChanges(IssuingKeys keys, TrustStore trust, OwnTrustList list, IOptions<HealthCodeOptions> options)
{
    public async Task<KeysChanged> ApplyAsync(CancellationToken cancellationToken)
    {
        keys.Reload();
        TrustSetup.SetOwnKeys(trust, keys, options.Value);
        await list.EnsureCurrentAsync(cancellationToken);
        return new KeysChanged(
            [.. keys.Current.Issuers.Select(i => new IssuerKeyView(i.Key.Kid, i.Number, TrustListCodec.StatusName(i.Status), i.CreatedAt, i.RetiredAt, i.RevokedAt, i.RevocationReason))],
            list.Current?.Seq ?? 0);
    }
}

internal sealed class RotateKeysHandler(IssuingKeys keys, KeyChanges changes, TimeProvider time) : ICommandHandler<RotateKeys, Result<KeysChanged>>
{
    public async ValueTask<Result<KeysChanged>> Handle(RotateKeys command, CancellationToken cancellationToken)
    {
        ProvinceKeyring.Rotate(keys.Folder, time.GetUtcNow()).Key.Dispose();
        return await changes.ApplyAsync(cancellationToken);
    }
}

internal sealed class RevokeKeyHandler(IssuingKeys keys, KeyChanges changes, TimeProvider time) : ICommandHandler<RevokeKey, Result<KeysChanged>>
{
    public async ValueTask<Result<KeysChanged>> Handle(RevokeKey command, CancellationToken cancellationToken)
    {
        return ProvinceKeyring.Revoke(keys.Folder, command.Kid, command.Reason!.Trim(), time.GetUtcNow()) switch
        {
            RevokeOutcome.Revoked or RevokeOutcome.AlreadyRevoked => await changes.ApplyAsync(cancellationToken),
            RevokeOutcome.ActiveKey => new ApiProblem(StatusCodes.Status409Conflict, "key_active", "This is the active issuer key.",
                "Rotate first (POST /api/v1/admin/keys/rotate), then revoke this key, so that new codes can still be issued."),
            RevokeOutcome.AmbiguousKid => new ApiProblem(StatusCodes.Status409Conflict, "kid_ambiguous", "Two keys share this kid.",
                "Give the key's full RFC 7638 thumbprint instead of the kid."),
            _ => ApiProblem.NotFound("key_not_found", "No issuer key has this kid."),
        };
    }
}

internal static class KeyLifecycleEndpoints
{
    public static void MapKeyLifecycle(this RouteGroupBuilder group)
    {
        group.MapPost("/keys/rotate", (IMediator mediator, CancellationToken ct) => mediator.Send(new RotateKeys(), ct).Answer(TypedResults.Ok))
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithName("RotateKeys")
            .WithSummary("Rotate the issuer key")
            .WithDescription("A new active issuer key signs codes from now on; the previous one is retired (its codes stay valid until they expire). Published in the next trust list.");
        group.MapPost("/keys/{kid}/revoke", async Task<Results<Ok<KeysChanged>, ProblemHttpResult>> (string kid, JsonBody<RevokeKeyRequest> body, IMediator mediator, CancellationToken ct) =>
                body.Problem is { } invalid ? invalid.ToResult() : await mediator.Send(new RevokeKey(kid, body.Value!.Reason), ct).Answer(TypedResults.Ok))
            .Accepts<RevokeKeyRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("RevokeKey")
            .WithSummary("Revoke a compromised issuer key")
            .WithDescription("Marks the key revoked in the next trust list: every code it signed is rejected with key_revoked, here and at partners.");
    }
}
