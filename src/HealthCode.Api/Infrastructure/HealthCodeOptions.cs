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
    public NetworkOptions Network { get; set; } = new();

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

    [Required, ValidateObjectMembers]
    public SharingOptions Sharing { get; set; } = new();

    [Required, ValidateObjectMembers]
    public PrivacyOptions Privacy { get; set; } = new();
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

/// <summary>
/// One-time login codes and the limits on them (issue 9: one address had 388,724 codes sent in 140 s).
/// Sending is limited per client address, per phone and overall; wrong guesses per phone. Every limit is
/// a sliding window (<see cref="SlidingLimitOptions"/>); the defaults are what this province runs with.
/// </summary>
internal sealed class OtpOptions
{
    /// <summary>How long a code works.</summary>
    [Range(typeof(TimeSpan), "00:00:30", "00:30:00")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The least time between two codes to one phone (answered <c>otp_too_frequent</c>).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ResendInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Wrong tries one code takes before it dies (answered <c>otp_attempts_exceeded</c>: ask for a new one).</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>
    /// Codes asked for from one client address (an IPv6 /64 counts as one address). Generous, because many
    /// residents can share one carrier-grade NAT address; the phone and global limits bound the rest.
    /// </summary>
    [Required, ValidateObjectMembers]
    public SlidingLimitOptions PerAddress { get; set; } = new() { Limit = 50, Window = TimeSpan.FromMinutes(10) };

    /// <summary>
    /// Codes sent to one phone in an hour. With <see cref="PerPhoneDaily"/> this is the default flow control that
    /// SMS gateways apply to verification codes (Alibaba Cloud SMS: 5 an hour, 10 in any 24 hours).
    /// </summary>
    [Required, ValidateObjectMembers]
    public SlidingLimitOptions PerPhoneHourly { get; set; } = new() { Limit = 5, Window = TimeSpan.FromHours(1) };

    /// <summary>Codes sent to one phone in a day.</summary>
    [Required, ValidateObjectMembers]
    public SlidingLimitOptions PerPhoneDaily { get; set; } = new() { Limit = 10, Window = TimeSpan.FromDays(1) };

    /// <summary>Codes sent by this service overall: the SMS gateway's bill and rate. Size it to the gateway contract.</summary>
    [Required, ValidateObjectMembers]
    public SlidingLimitOptions Global { get; set; } = new() { Limit = 6000, Window = TimeSpan.FromMinutes(1) };

    /// <summary>
    /// Wrong codes tried for one phone, across every code sent to it: a new code does not reset it (answered
    /// <c>otp_rate_limited_guesses</c>, even for the right code, until the window passes).
    /// </summary>
    [Required, ValidateObjectMembers]
    public SlidingLimitOptions WrongGuesses { get; set; } = new() { Limit = 10, Window = TimeSpan.FromHours(1) };
}

/// <summary>At most <see cref="Limit"/> in any <see cref="Window"/> (sliding: any such span of time, not fixed clock windows).</summary>
internal sealed class SlidingLimitOptions
{
    [Range(1, 1_000_000)]
    public int Limit { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan Window { get; set; }
}

/// <summary>How this instance is reached.</summary>
internal sealed class NetworkOptions : IValidatableObject
{
    /// <summary>
    /// Reverse proxies (an address, or a network as <c>10.0.0.0/8</c>) whose <c>X-Forwarded-For</c> names the
    /// client. Empty: the header is ignored and the client is the connection's peer, so that nobody can pick
    /// the address a per-address limit counts (behind nginx, list nginx's address here).
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => TrustedProxies
        .Where(p => !System.Net.IPAddress.TryParse(p, out _) && !System.Net.IPNetwork.TryParse(p, out _))
        .Select(p => new ValidationResult($"'{p}' is neither an IP address nor a network like 10.0.0.0/8.", [nameof(TrustedProxies)]));
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

    /// <summary>
    /// How long an instance trusts a staff token it read from the store before reading it again: the bound on a
    /// revocation made by another instance when Redis did not carry it (no Redis, or a message lost).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan TokenCacheLifetime { get; set; } = TimeSpan.FromSeconds(30);

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

    /// <summary>The list-changed hint (DESIGN §11): sending it, and the limits on receiving it.</summary>
    [Required, ValidateObjectMembers]
    public Features.Federation.ListChangedOptions ListChanged { get; set; } = new();
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

internal sealed class SharingOptions
{
    /// <summary>The largest batch body a department may upload (DESIGN §9: 2 GiB by default); it is streamed to disk, never held in memory.</summary>
    [Range(1024L, 64L * 1024 * 1024 * 1024)]
    public long MaxBatchBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Where received batches wait while they are applied; relative to the store's folder. Default: <c>batches</c> beside the SQLite file.</summary>
    public string? BatchesPath { get; set; }

    /// <summary>
    /// How long an instance's claim on a batch it receives or applies holds unless renewed (every third of it, on a
    /// timer of its own). Every instance sharing the store looks for lapsed claims every half of it, and takes such a
    /// batch up: this is about how long a batch waits when the instance working on it died.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:04", "01:00:00")]
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How old a batch's manifest (<c>producedAt</c>) may be when it arrives.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "366.00:00:00")]
    public TimeSpan ManifestMaxAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// The share of its time a batch works while checkpoints scan (the rest it sleeps, giving the processor to the scans);
    /// 1 applies at full speed whatever the scans (see <c>BatchPacing</c>).
    /// </summary>
    [Range(0.05, 1.0)]
    public double ShareWhileScanning { get; set; } = 0.25;
}

/// <summary>Personal data at rest (DESIGN §11): its keys and how long it is kept.</summary>
internal sealed class PrivacyOptions
{
    /// <summary>
    /// The folder of privacy keys: data keys (AES-256-GCM, one current) and the blind-index key (HMAC-SHA256); format in
    /// <c>keys-sample/privacy/README.md</c>. Relative paths are resolved against the content root. A province refuses to
    /// start without it (<c>PrivacyKeyRing</c>); the hub holds no personal data and does not read it.
    /// </summary>
    public string KeysPath { get; set; } = "";

    /// <summary>
    /// Days personal data is kept before the purge removes it (DESIGN §11: 28, two incubation periods). At most a year:
    /// health data kept longer than an epidemic's season serves no purpose the residents gave it for. At least 14: the
    /// policy reads 14 days of a person's declarations (a code turns green after clean days, red after 14 days), and a
    /// shorter retention would purge what today's colour still rests on.
    /// </summary>
    [Range(14, 366)]
    public int RetentionDays { get; set; } = 28;

    /// <summary>
    /// How often the re-encryption job (<c>PersonalDataJob</c>) looks for values under an old data key, or still in clear,
    /// and rewrites them with the current key; the first time one period after start (the start encrypts what is in clear).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RewrapEvery { get; set; } = TimeSpan.FromMinutes(10);
}
