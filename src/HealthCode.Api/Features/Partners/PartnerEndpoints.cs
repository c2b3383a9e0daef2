using System.Text.Json;
using System.Text.RegularExpressions;
using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Federation;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Trust.Keys;

namespace HealthCode.Api.Features.Partners;

/// <summary><c>POST /api/v1/admin/partners {iss, name, trustListUrl, rootKey}</c>: recognise a partner province's codes.</summary>
internal sealed record RegisterPartner(string? Iss, string? Name, string? TrustListUrl, JsonElement? RootKey) : ICommand<Result<PartnerStatus>>;

internal sealed partial class RegisterPartnerValidator(IOptions<HealthCodeOptions> options) : IValidator<RegisterPartner>
{
    public IReadOnlyList<FieldError> Validate(RegisterPartner message)
    {
        var errors = new List<FieldError>();
        if (message.Iss is null || !ProvinceCode().IsMatch(message.Iss))
        {
            errors.Add(new FieldError("iss", "iss_invalid", "Enter the partner's 6-digit province code, e.g. 330000."));
        }
        else if (message.Iss == options.Value.Province.Code)
        {
            errors.Add(new FieldError("iss", "iss_is_self", "This is this province's own code; register a partner's."));
        }

        if (!FieldRules.IsName(message.Name))
        {
            errors.Add(new FieldError("name", "required", "Enter the partner's name (1 to 50 characters)."));
        }

        if (!Uri.TryCreate(message.TrustListUrl, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
        {
            errors.Add(new FieldError("trustListUrl", "url_invalid", "Enter the absolute http(s) URL of the partner's trust list."));
        }

        if (ReadRoot(message.RootKey) is null)
        {
            errors.Add(new FieldError("rootKey", "root_key_invalid", "Paste the partner's root PUBLIC key as a JWK object (EC P-256, no private part)."));
        }

        return errors;
    }

    public static EcKey? ReadRoot(JsonElement? jwk)
    {
        if (jwk is not { ValueKind: JsonValueKind.Object } element)
        {
            return null;
        }

        try
        {
            var key = EcKey.FromJwk(element.GetRawText());
            return key.HasPrivateKey ? null : key;
        }
        catch (InvalidKeyException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^\d{2}0000$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex ProvinceCode();
}

internal sealed class RegisterPartnerHandler(PartnerTrust partners, TimeProvider time) : ICommandHandler<RegisterPartner, Result<PartnerStatus>>
{
    public async ValueTask<Result<PartnerStatus>> Handle(RegisterPartner command, CancellationToken cancellationToken)
    {
        using var root = RegisterPartnerValidator.ReadRoot(command.RootKey)!;
        return await partners.RegisterAsync(
            new PartnerRecord(command.Iss!, command.Name!.Trim(), new Uri(command.TrustListUrl!), root.ToPublicJwk(), time.GetUtcNow()),
            cancellationToken);
    }
}

/// <summary><c>GET /api/v1/admin/partners</c>: every partner, bilateral or through the hub, with its fetch state.</summary>
internal sealed record ListPartners : IQuery<Result<IReadOnlyList<PartnerStatus>>>;

internal sealed class ListPartnersHandler(PartnerTrust partners) : IQueryHandler<ListPartners, Result<IReadOnlyList<PartnerStatus>>>
{
    public ValueTask<Result<IReadOnlyList<PartnerStatus>>> Handle(ListPartners query, CancellationToken cancellationToken) =>
        ValueTask.FromResult<Result<IReadOnlyList<PartnerStatus>>>(Result<IReadOnlyList<PartnerStatus>>.From(partners.List()));
}

/// <summary><c>DELETE /api/v1/admin/partners/{iss}</c>: stop recognising a partner's codes at once.</summary>
internal sealed record RemovePartner(string Iss) : ICommand<Result<string>>;

internal sealed class RemovePartnerHandler(PartnerTrust partners) : ICommandHandler<RemovePartner, Result<string>>
{
    public async ValueTask<Result<string>> Handle(RemovePartner command, CancellationToken cancellationToken) =>
        await partners.RemoveAsync(command.Iss, cancellationToken)
            ? command.Iss
            : ApiProblem.NotFound("partner_not_found", "There is no partner with this code.");
}

internal static class PartnerEndpoints
{
    public static void MapPartners(this RouteGroupBuilder group)
    {
        group.MapPost("/partners", async Task<Results<Created<PartnerStatus>, ProblemHttpResult>> (JsonBody<RegisterPartner> body, IMediator mediator, CancellationToken ct) =>
                body.Problem is { } invalid
                    ? invalid.ToResult()
                    : await mediator.Send(body.Value!, ct).Answer(p => TypedResults.Created($"/api/v1/admin/partners/{p.Issuer}", p)))
            .Accepts<RegisterPartner>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithName("RegisterPartner")
            .WithSummary("Register a bilateral partner province")
            .WithDescription("Its trust list is fetched at once and then refreshed in the background; it is trusted only when signed by the given root key.");
        group.MapGet("/partners", (IMediator mediator, CancellationToken ct) => mediator.Send(new ListPartners(), ct).Answer(TypedResults.Ok))
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithName("ListPartners")
            .WithSummary("Partners with their fetch state")
            .WithDescription("state: ok, pending, failing (last fetch failed; the last good list is kept until it expires) or stale (expired: its codes fail with trust_list_stale). lastFetchAt and lastSuccessAt are this instance's own fetches (empty on an instance that got every list from another through Redis); listReceivedAt is when this instance last took a new list, either way.");
        group.MapDelete("/partners/{iss}", (string iss, IMediator mediator, CancellationToken ct) =>
                mediator.Send(new RemovePartner(iss), ct).Answer(_ => TypedResults.NoContent()))
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithName("RemovePartner")
            .WithSummary("Stop recognising a partner");
    }
}
