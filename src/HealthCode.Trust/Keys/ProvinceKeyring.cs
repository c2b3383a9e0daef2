using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using HealthCode.Trust.Jose;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;

namespace HealthCode.Trust.Keys;

/// <summary>The lifecycle state of one issuer key (DESIGN §4.2), as recorded in the key folder's <c>keys.json</c>.</summary>
/// <param name="Key">The key (private when its <c>.private.jwk</c> is in the folder).</param>
/// <param name="Number">Its N in <c>issuer-N</c>.</param>
/// <param name="Status"><c>active</c> signs new codes, <c>retired</c> still verifies its codes, <c>revoked</c> verifies nothing.</param>
/// <param name="CreatedAt">When the key was generated (UTC, whole seconds).</param>
/// <param name="RetiredAt">When it stopped signing new codes: retired at a rotation. Null while active, or when not known (no <c>keys.json</c>).</param>
/// <param name="RevokedAt">When it was revoked; null unless revoked.</param>
/// <param name="RevocationReason">The operator's reason for the revocation; null unless revoked.</param>
public sealed record IssuerKeyState(
    EcKey Key,
    int Number,
    KeyStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RetiredAt,
    DateTimeOffset? RevokedAt,
    string? RevocationReason);

/// <summary>What <see cref="ProvinceKeyring.Revoke"/> did.</summary>
public enum RevokeOutcome
{
    /// <summary>The key is now revoked, recorded in <c>keys.json</c>.</summary>
    Revoked,

    /// <summary>The key was revoked already; nothing changed (the first reason and time are kept).</summary>
    AlreadyRevoked,

    /// <summary>No issuer key in the folder has that kid or thumbprint; nothing changed.</summary>
    UnknownKid,

    /// <summary>Two keys share that (truncated) kid; give the full RFC 7638 thumbprint instead. Nothing changed.</summary>
    AmbiguousKid,

    /// <summary>The key is the active one: rotate first, then revoke it, so that a key always signs codes. Nothing changed.</summary>
    ActiveKey,
}

/// <summary>
/// A province's key folder with the lifecycle of its issuer keys (DESIGN §4.2, §4.4): <c>root</c>, the numbered
/// <c>issuer-N</c> JWK pairs, and <c>keys.json</c>, which records for each issuer key its status (active, retired,
/// revoked) and when it changed. Rotation and revocation write new files atomically and never overwrite a key file.
/// </summary>
/// <remarks>
/// <para>
/// Without <c>keys.json</c> (a folder from <c>keys generate</c>, or older tooling) the folder is read as before: the
/// highest <c>issuer-N</c> with a private key is active (on an offline root machine, which holds public issuer keys
/// only, the highest N), every other key is retired with an unknown retirement time. The first rotation or revocation
/// writes <c>keys.json</c>.
/// </para>
/// <para>
/// With <c>keys.json</c>, exactly one key is active, and an <c>issuer-N</c> file that it does not record is ignored:
/// it is neither used nor published (a key dropped into the folder is never trusted by accident, and a rotation
/// interrupted between writing the key and writing <c>keys.json</c> leaves a harmless orphan).
/// </para>
/// <para>Rotations and revocations of one folder are meant to be run by one operator at a time; two concurrent
/// rotations cannot overwrite each other's key files (the second fails), but the last <c>keys.json</c> written wins.</para>
/// </remarks>
public sealed class ProvinceKeyring : IDisposable
{
    /// <summary>The state file's name in the key folder.</summary>
    public const string StateFileName = "keys.json";

    /// <summary>
    /// How long a retired key stays in published trust lists after its retirement by default: the longest lifetime of a
    /// code it may have signed (phone codes live minutes; a printed code may live days). See <see cref="ToTrustList"/>.
    /// </summary>
    public static readonly TimeSpan DefaultMaxCodeLifetime = TimeSpan.FromDays(7);

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    private readonly ProvinceKeys _keys;

    private ProvinceKeyring(ProvinceKeys keys, IReadOnlyList<IssuerKeyState> issuers, bool hasStateFile, IReadOnlyList<int> unrecorded)
    {
        _keys = keys;
        Issuers = issuers;
        HasStateFile = hasStateFile;
        UnrecordedIssuerNumbers = unrecorded;
        ActiveIssuer = issuers.Single(i => i.Status == KeyStatus.Active).Key;
    }

    /// <summary>The root key: private when <c>root.private.jwk</c> is present, else public only (kept offline).</summary>
    public EcKey Root => _keys.Root;

    /// <summary>True when the root's private key is here, so this folder can sign the province's trust list.</summary>
    public bool CanSignLists => Root.HasPrivateKey;

    /// <summary>Every recorded issuer key with its state, lowest N first.</summary>
    public IReadOnlyList<IssuerKeyState> Issuers { get; }

    /// <summary>The one active issuer key, the one that signs new codes. It may be public only (an offline root machine): see <see cref="CanIssueCodes"/>.</summary>
    public EcKey ActiveIssuer { get; }

    /// <summary>True when the active issuer key has its private part here, so this folder can sign codes.</summary>
    public bool CanIssueCodes => ActiveIssuer.HasPrivateKey;

    /// <summary>True when the state came from <c>keys.json</c>; false when it was derived from the file names.</summary>
    public bool HasStateFile { get; }

    /// <summary>The N of <c>issuer-N</c> files that <c>keys.json</c> does not record: ignored, shown so an operator can clean up.</summary>
    public IReadOnlyList<int> UnrecordedIssuerNumbers { get; }

    /// <summary>Loads the key folder and its <c>keys.json</c> (or, without one, the state derived from the file names).</summary>
    /// <param name="folder">The province's key folder, e.g. <c>keys-sample/410000</c>.</param>
    /// <returns>The keyring; dispose it when done.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">There is no root key.</exception>
    /// <exception cref="InvalidKeyException">A key file is unusable, there is no issuer key, or <c>keys.json</c> is not
    /// valid: not the documented JSON, a recorded key whose file is missing or holds another key, or not exactly one active key.</exception>
    public static ProvinceKeyring Load(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ProvinceKeys keys = ProvinceKeys.Load(folder);
        try
        {
            string statePath = Path.Combine(folder, StateFileName);
            if (!File.Exists(statePath))
            {
                return new ProvinceKeyring(keys, Derive(folder, keys), hasStateFile: false, []);
            }

            List<IssuerKeyState> recorded = ReadState(statePath, keys);
            int[] unrecorded = [.. keys.IssuerNumbers.Where(n => !recorded.Any(r => r.Number == n))];
            return new ProvinceKeyring(keys, recorded, hasStateFile: true, unrecorded);
        }
        catch
        {
            keys.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Rotates the issuer key: generates <c>issuer-(N+1)</c> (N the highest number in the folder), makes it active, and
    /// retires the previously active key as of <paramref name="now"/>. The key pair is written first, then
    /// <c>keys.json</c>, each atomically; no existing file is overwritten except <c>keys.json</c>, which is replaced.
    /// </summary>
    /// <param name="folder">An existing province key folder.</param>
    /// <param name="now">The current time (from a <see cref="TimeProvider"/>); truncated to whole seconds, UTC.</param>
    /// <returns>The new active key's state. Its <see cref="IssuerKeyState.Key"/> is the caller's to dispose.</returns>
    /// <exception cref="IOException">The new key's files exist already (a concurrent rotation), or a write failed.</exception>
    /// <exception cref="InvalidKeyException">The folder is not a valid key folder (see <see cref="Load"/>).</exception>
    public static IssuerKeyState Rotate(string folder, DateTimeOffset now)
    {
        now = Seconds(now);
        using ProvinceKeyring ring = Load(folder);
        int next = ring._keys.IssuerNumbers[^1] + 1; // past every file, orphans included: a number is never reused
        EcKey key = EcKey.Generate();
        try
        {
            KeyFolder.WritePair(folder, ProvinceKeys.IssuerName(next), key);
            var created = new IssuerKeyState(key, next, KeyStatus.Active, now, null, null, null);
            WriteState(folder, [.. ring.Issuers.Select(s => s.Status == KeyStatus.Active ? s with { Status = KeyStatus.Retired } : s)
                .Select(s => s.Status == KeyStatus.Retired && s.RetiredAt is null ? s with { RetiredAt = now } : s), created]);
            return created;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Revokes a compromised issuer key (DESIGN §4.2): it is published as <c>revoked</c> in every later trust list, so
    /// partners reject every code it signed with <c>key_revoked</c>. The active key cannot be revoked: rotate first
    /// (which retires it), then revoke it, so that the province always has a key to issue codes with.
    /// </summary>
    /// <param name="folder">An existing province key folder.</param>
    /// <param name="kid">The key's kid (8 characters) or its full RFC 7638 thumbprint.</param>
    /// <param name="reason">Why, for the record (e.g. "issuer-2 private key leaked from backup").</param>
    /// <param name="now">The current time (from a <see cref="TimeProvider"/>); truncated to whole seconds, UTC.</param>
    /// <returns>What happened; only <see cref="RevokeOutcome.Revoked"/> writes <c>keys.json</c>.</returns>
    /// <exception cref="IOException">Writing <c>keys.json</c> failed.</exception>
    /// <exception cref="InvalidKeyException">The folder is not a valid key folder (see <see cref="Load"/>).</exception>
    public static RevokeOutcome Revoke(string folder, string kid, string reason, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(kid);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        now = Seconds(now);
        using ProvinceKeyring ring = Load(folder);
        IssuerKeyState[] matches = [.. ring.Issuers.Where(s => s.Key.Kid == kid || s.Key.Thumbprint == kid)];
        if (matches.Length == 0)
        {
            return RevokeOutcome.UnknownKid;
        }

        if (matches.Length > 1)
        {
            return RevokeOutcome.AmbiguousKid;
        }

        IssuerKeyState target = matches[0];
        if (target.Status == KeyStatus.Revoked)
        {
            return RevokeOutcome.AlreadyRevoked;
        }

        if (target.Status == KeyStatus.Active)
        {
            return RevokeOutcome.ActiveKey;
        }

        WriteState(folder, [.. ring.Issuers.Select(s => ReferenceEquals(s, target)
            ? s with { Status = KeyStatus.Revoked, RevokedAt = now, RevocationReason = reason.Trim() }
            : s)]);
        return RevokeOutcome.Revoked;
    }

    /// <summary>
    /// The province's trust list (DESIGN §4.2) as of <paramref name="now"/>, ready for <see cref="TrustListCodec.Sign"/>
    /// with <see cref="Root"/>. The active key is listed without a window. A retired key is listed with <c>exp</c> =
    /// its <see cref="IssuerKeyState.RetiredAt"/> + <paramref name="maxCodeLifetime"/> (every code it signed has expired
    /// by then) and left out of lists signed after that instant; a retired key whose retirement time is not known (no
    /// <c>keys.json</c>) is listed without a window, as before. A revoked key is always listed, as <c>revoked</c>, so
    /// partners answer <c>key_revoked</c> for its codes rather than trusting an older cached list.
    /// </summary>
    /// <param name="issuer">The province code (<c>iss</c>).</param>
    /// <param name="name">The province's display name.</param>
    /// <param name="seq">The list's sequence number, higher than the last published one.</param>
    /// <param name="now">The signing time; truncated to whole seconds, UTC.</param>
    /// <param name="validFor">How long the list is valid (<c>exp</c> - <c>iat</c>); more than zero.</param>
    /// <param name="maxCodeLifetime">The longest lifetime of a code; by default <see cref="DefaultMaxCodeLifetime"/>.</param>
    /// <returns>The unsigned list; its keys belong to this keyring.</returns>
    public TrustList ToTrustList(string issuer, string name, long seq, DateTimeOffset now, TimeSpan validFor, TimeSpan? maxCodeLifetime = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(validFor, TimeSpan.Zero);
        TimeSpan keep = maxCodeLifetime ?? DefaultMaxCodeLifetime;
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, TimeSpan.Zero);
        now = Seconds(now);
        var keys = new List<TrustListKey>();
        foreach (IssuerKeyState state in Issuers)
        {
            DateTimeOffset? notAfter = state.Status == KeyStatus.Retired && state.RetiredAt is { } retiredAt ? retiredAt + keep : null;
            if (notAfter is { } end && now > end)
            {
                continue; // no code it signed can still be valid: the list no longer needs it
            }

            keys.Add(new TrustListKey(state.Key, state.Status, NotBefore: null, notAfter));
        }

        return new TrustList(issuer, name, seq, now, now + validFor, keys);
    }

    /// <inheritdoc />
    public void Dispose() => _keys.Dispose();

    private static DateTimeOffset Seconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());

    /// <summary>The state without <c>keys.json</c>: the rule <c>trust-list sign</c> always used.</summary>
    private static List<IssuerKeyState> Derive(string folder, ProvinceKeys keys)
    {
        EcKey active = keys.HasActiveIssuer ? keys.ActiveIssuer : keys.Issuers[^1];
        var states = new List<IssuerKeyState>();
        for (int i = 0; i < keys.Issuers.Count; i++)
        {
            EcKey key = keys.Issuers[i];
            int n = keys.IssuerNumbers[i];
            string file = Path.Combine(folder, ProvinceKeys.IssuerName(n) + (key.HasPrivateKey ? KeyFolder.PrivateSuffix : KeyFolder.PublicSuffix));
            var created = Seconds(new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero));
            states.Add(new IssuerKeyState(key, n, ReferenceEquals(key, active) ? KeyStatus.Active : KeyStatus.Retired, created, null, null, null));
        }

        return states;
    }

    private static List<IssuerKeyState> ReadState(string path, ProvinceKeys keys)
    {
        var states = new List<IssuerKeyState>();
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path), Es256Jws.ReaderOptions);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("issuers", out JsonElement issuers) || issuers.ValueKind != JsonValueKind.Array)
            {
                throw Invalid(path, "expected an object with an \"issuers\" array");
            }

            foreach (JsonElement entry in issuers.EnumerateArray())
            {
                states.Add(ReadEntry(path, entry, keys));
            }
        }
        catch (JsonException ex)
        {
            throw new InvalidKeyException($"{path}: not valid JSON ({ex.Message}).", ex);
        }

        if (states.Select(s => s.Number).Distinct().Count() != states.Count)
        {
            throw Invalid(path, "an issuer key is recorded twice");
        }

        int active = states.Count(s => s.Status == KeyStatus.Active);
        if (active != 1)
        {
            throw Invalid(path, $"exactly one issuer key must be active, not {active}");
        }

        states.Sort((a, b) => a.Number.CompareTo(b.Number));
        return states;
    }

    private static IssuerKeyState ReadEntry(string path, JsonElement entry, ProvinceKeys keys)
    {
        if (entry.ValueKind != JsonValueKind.Object
            || !Es256Jws.TryString(entry, "name", out string? name)
            || !Es256Jws.TryString(entry, "thumbprint", out string? thumbprint)
            || !Es256Jws.TryString(entry, "status", out string? statusName))
        {
            throw Invalid(path, "each issuer needs \"name\", \"thumbprint\" and \"status\" strings");
        }

        int index = -1;
        for (int i = 0; i < keys.IssuerNumbers.Count; i++)
        {
            if (ProvinceKeys.IssuerName(keys.IssuerNumbers[i]) == name)
            {
                index = i;
            }
        }

        if (index < 0)
        {
            throw Invalid(path, $"{name} is recorded but its key files are missing");
        }

        EcKey key = keys.Issuers[index];
        if (key.Thumbprint != thumbprint)
        {
            throw Invalid(path, $"{name} holds key {key.Thumbprint}, not the recorded {thumbprint}");
        }

        KeyStatus status = statusName switch
        {
            "active" => KeyStatus.Active,
            "retired" => KeyStatus.Retired,
            "revoked" => KeyStatus.Revoked,
            _ => throw Invalid(path, $"{name}: unknown status \"{statusName}\""),
        };
        DateTimeOffset createdAt = ReadTime(path, entry, "createdAt") ?? throw Invalid(path, $"{name}: \"createdAt\" is required");
        DateTimeOffset? retiredAt = ReadTime(path, entry, "retiredAt");
        DateTimeOffset? revokedAt = ReadTime(path, entry, "revokedAt");
        string? reason = entry.TryGetProperty("revocationReason", out JsonElement r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        if (status == KeyStatus.Revoked && (revokedAt is null || string.IsNullOrWhiteSpace(reason)))
        {
            throw Invalid(path, $"{name}: a revoked key needs \"revokedAt\" and \"revocationReason\"");
        }

        return new IssuerKeyState(key, keys.IssuerNumbers[index], status, createdAt, retiredAt, revokedAt, reason);
    }

    private static DateTimeOffset? ReadTime(string path, JsonElement entry, string name)
    {
        if (!entry.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        // RFC 3339 §5.6 in its UTC, whole-second form, the one this file is written in.
        return value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParseExact(value.GetString(), TimeFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset time)
            ? time
            : throw Invalid(path, $"\"{name}\" must be a UTC time like 2020-03-01T08:00:00Z");
    }

    private static void WriteState(string folder, IReadOnlyList<IssuerKeyState> states)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = Es256Jws.WriterOptions.Encoder }))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("issuers");
            foreach (IssuerKeyState state in states.OrderBy(s => s.Number))
            {
                writer.WriteStartObject();
                writer.WriteString("name", ProvinceKeys.IssuerName(state.Number));
                writer.WriteString("kid", state.Key.Kid);
                writer.WriteString("thumbprint", state.Key.Thumbprint);
                writer.WriteString("status", TrustListCodec.StatusName(state.Status));
                WriteTime(writer, "createdAt", state.CreatedAt);
                WriteTime(writer, "retiredAt", state.RetiredAt);
                WriteTime(writer, "revokedAt", state.RevokedAt);
                if (state.RevocationReason is not null)
                {
                    writer.WriteString("revocationReason", state.RevocationReason);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        AtomicFile.Replace(Path.Combine(folder, StateFileName), Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n");
    }

    private static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset? time)
    {
        if (time is { } value)
        {
            writer.WriteString(name, value.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture));
        }
    }

    private static InvalidKeyException Invalid(string path, string message) => new($"{path}: {message}.");
}
