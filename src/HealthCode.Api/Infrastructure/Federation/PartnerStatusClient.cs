using HealthCode.Api.Infrastructure.Keys;
using HealthCode.Trust.Status;
using HealthCode.Trust.Tokens;

namespace HealthCode.Api.Infrastructure.Federation;

/// <summary>What the issuing province said about a partner code at scan time.</summary>
internal enum StatusCheckOutcome
{
    /// <summary>The token's status version is the current one.</summary>
    Confirmed,

    /// <summary>The code changed after the token was signed: its colour no longer holds.</summary>
    Changed,

    /// <summary>No answer in time (slow, dead or refusing): the offline verdict stands, flagged.</summary>
    Unavailable,
}

/// <summary>
/// Asks the issuing province for the current status of a code scanned here, with a request
/// signed by our active issuer key (which the partner holds through our trust list). A scan never
/// waits longer than <c>HealthCode:Federation:StatusCheckTimeout</c> (300 ms): no retries.
/// </summary>
internal sealed class PartnerStatusClient(IHttpClientFactory clients, IssuingKeys keys, PartnerTrust partners, IOptions<HealthCodeOptions> options, TimeProvider time)
{
    public const string HttpClientName = "partner-status";

    public async Task<StatusCheckOutcome> CheckAsync(HealthCodeClaims claims, CancellationToken cancellationToken)
    {
        if (partners.Find(claims.Issuer) is not { } partner)
        {
            return StatusCheckOutcome.Unavailable;
        }

        var settings = options.Value;
        var url = new Uri(new Uri(partner.TrustListUrl.GetLeftPart(UriPartial.Authority)), "/api/v1/partner/status");
        var request = StatusRequestCodec.Sign(settings.Province.Code, claims.Issuer, claims.CodeId, time.GetUtcNow(), keys.Current.ActiveIssuer);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Federation.StatusCheckTimeout);
        try
        {
            using var content = new StringContent(request, System.Text.Encoding.ASCII, "application/jose");
            // Made only when a check is made: scans of own codes, or with checks off, build no client.
            var http = clients.CreateClient(HttpClientName);
            using var response = await http.PostAsync(url, content, deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                return StatusCheckOutcome.Unavailable;
            }

            // The documented shape only, and no more than StatusAnswer.MaxLength of it.
            var body = await CappedBody.ReadAsync(response.Content, StatusAnswer.MaxLength, deadline.Token);
            return !StatusAnswer.TryParse(body, out var answer) || answer.Sub != claims.CodeId ? StatusCheckOutcome.Unavailable
                : answer.StatusVersion > claims.StatusVersion ? StatusCheckOutcome.Changed
                : StatusCheckOutcome.Confirmed;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            return StatusCheckOutcome.Unavailable;
        }
    }
}
