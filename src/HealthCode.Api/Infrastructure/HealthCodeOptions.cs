using System.ComponentModel.DataAnnotations;

namespace HealthCode.Api.Infrastructure;

/// <summary>The <c>HealthCode</c> configuration section (DESIGN §5 names), validated at start-up.</summary>
internal sealed class HealthCodeOptions
{
    public const string Section = "HealthCode";

    [Required, ValidateObjectMembers]
    public ProvinceOptions Province { get; set; } = new();

    [Required, ValidateObjectMembers]
    public KeysOptions Keys { get; set; } = new();

    [Required, ValidateObjectMembers]
    public CodesOptions Codes { get; set; } = new();

    [Required, ValidateObjectMembers]
    public SessionsOptions Sessions { get; set; } = new();

    [Required, ValidateObjectMembers]
    public OtpOptions Otp { get; set; } = new();

    [Required, ValidateObjectMembers]
    public PolicyOptions Policy { get; set; } = new();

    [Required, ValidateObjectMembers]
    public LimitsOptions Limits { get; set; } = new();

    public AdminOptions Admin { get; set; } = new();

    [Required, ValidateObjectMembers]
    public StaffOptions Staff { get; set; } = new();

    [Required, ValidateObjectMembers]
    public AuditOptions Audit { get; set; } = new();

    [Required, ValidateObjectMembers]
    public TrustOptions Trust { get; set; } = new();

    [Required, ValidateObjectMembers]
    public FederationOptions Federation { get; set; } = new();

    [Required, ValidateObjectMembers]
    public HubOptions Hub { get; set; } = new();
}

internal sealed class ProvinceOptions
{
    /// <summary>The 6-digit GB/T 2260 code of this province: the <c>iss</c> of every code it issues.</summary>
    [Required, RegularExpression(@"^\d{2}0000$")]
    public string Code { get; set; } = "";

    [Required, StringLength(50, MinimumLength = 1)]
    public string Name { get; set; } = "";
}

internal sealed class KeysOptions
{
    /// <summary>The folder holding this province's <c>root</c> and <c>issuer-N</c> JWK files (DESIGN §4.4).</summary>
    [Required]
    public string Path { get; set; } = "";
}

internal sealed class CodesOptions
{
    /// <summary>How long a dynamic phone code is valid (DESIGN §4.1: minutes).</summary>
    [Range(typeof(TimeSpan), "00:00:30", "00:30:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a family member's printed code is valid (DESIGN §8); a colour change voids it sooner.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "30.00:00:00")]
    public TimeSpan PrintedLifetime { get; set; } = TimeSpan.FromDays(7);
}

internal sealed class SessionsOptions
{
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(12);
}

internal sealed class OtpOptions
{
    [Range(typeof(TimeSpan), "00:00:30", "00:30:00")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(5);

    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ResendInterval { get; set; } = TimeSpan.FromSeconds(30);

    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 5;
}

internal sealed class PolicyOptions
{
    /// <summary>The risk policy file (DESIGN §6); relative paths are resolved against the application folder.</summary>
    [Required]
    public string Path { get; set; } = "";
}

internal sealed class LimitsOptions
{
    /// <summary>The cap on any request body; larger bodies are refused with 413 before they are read.</summary>
    [Range(1024, 10 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;
}

internal sealed class AdminOptions
{
    public string? ApiKey { get; set; }
}

internal sealed class StaffOptions
{
    /// <summary>How long a staff token issued by an operator is valid: one shift by default.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "30.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>ID-card lookups one staff member may make per minute.</summary>
    [Range(1, 1000)]
    public int LookupsPerMinute { get; set; } = 20;
}

internal sealed class AuditOptions
{
    /// <summary>Days an audit entry is kept before the purge removes it.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 30;
}

internal sealed class TrustOptions
{
    /// <summary>Leeway for token and list times between this service and phones or partners (DESIGN §4.5).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Optional folder of partner provinces: <c>&lt;iss&gt;/root.public.jwk</c> (the pinned root)
    /// and <c>&lt;iss&gt;/trust-list.jws</c>, each list checked against its root before use.
    /// </summary>
    public string? PartnersPath { get; set; }
}

internal sealed class FederationOptions
{
    /// <summary>How often partners' lists are fetched (conditional GETs), with ±20% jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long this province's own published list is valid.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan ListLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Re-sign the own list when less than this is left; well before <c>exp</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:30", "30.00:00:00")]
    public TimeSpan ResignBefore { get; set; } = TimeSpan.FromDays(3);

    /// <summary>A list expiring sooner than this makes /readyz degraded.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan WarnBefore { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Ask a partner for the current status of its code at each scan.</summary>
    public bool OnlineStatusCheck { get; set; }

    /// <summary>The most a scan waits for a partner's status answer before the offline verdict is given.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:05")]
    public TimeSpan StatusCheckTimeout { get; set; } = TimeSpan.FromMilliseconds(300);
}

internal sealed class HubOptions
{
    /// <summary>Hub mode: keep the member registry and publish the federation list signed by the anchor key.</summary>
    public bool Enabled { get; set; }

    /// <summary>The hub to trust, e.g. https://hub.example/ (its federation list is fetched from there).</summary>
    public Uri? Url { get; set; }

    /// <summary>The hub's anchor public key: a JWK file path, exchanged out of band.</summary>
    public string? AnchorKey { get; set; }
}
