using HealthCode.Api.Infrastructure.Settings;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Tokens;

namespace HealthCode.Api.Infrastructure.Keys;

/// <summary>
/// This province's keys, loaded from <c>HealthCode:Keys:Path</c> and held in memory: the root
/// (which signs the trust list; it may be offline) and the issuer keys with their status. A
/// rotation or revocation reloads them in place. Outside Development a key from <c>keys-sample/</c>
/// stops the service (DESIGN §7, <see cref="SampleKeyGuard"/>): those keys are public, so anyone could forge codes with them.
/// </summary>
internal sealed class IssuingKeys : IDisposable
{
    private readonly IHostEnvironment environment;
    private readonly Lock reloading = new();
    private volatile Loaded current;

    public IssuingKeys(IOptions<HealthCodeOptions> options, IHostEnvironment environment)
    {
        this.environment = environment;
        Folder = Path.GetFullPath(options.Value.Keys.Path, environment.ContentRootPath);
        if (!Directory.Exists(Folder))
        {
            throw new SettingException($"HealthCode:Keys:Path '{Folder}' does not exist. Point it at the folder of this province's keys.");
        }

        current = Load();
    }

    public string Folder { get; }

    public ProvinceKeyring Current => current.Keyring;

    public HealthCodeSigner Signer => current.Signer;

    /// <summary>Reads the folder again after a rotation or revocation; scans in flight keep the keys they hold.</summary>
    public void Reload() => current = Load();

    /// <summary>
    /// Reads the folder again when it changed since it was read: several instances of one province share it, and a
    /// key rotated or revoked through one must not stay trusted, or be signed into the trust list again, by another.
    /// True when it was read again.
    /// </summary>
    public bool ReloadIfChanged()
    {
        lock (reloading)
        {
            if (Fingerprint(Folder) == current.Fingerprint)
            {
                return false;
            }

            Reload();
            return true;
        }
    }

    public void Dispose() => current.Keyring.Dispose();

    private Loaded Load()
    {
        // Taken before the keys are read: a change made while they are read shows as a change at the next look.
        var fingerprint = Fingerprint(Folder);
        var keyring = SampleKeyGuard.Checked(
            ProvinceKeyring.Load(Folder), k => k.Issuers.Select(i => i.Key).Append(k.Root), environment, "HealthCode:Keys:Path", Folder);

        return new Loaded(keyring, new HealthCodeSigner(keyring.ActiveIssuer), fingerprint);
    }

    /// <summary>The folder's files by name, size and time of last write: what a rotation or revocation changes.</summary>
    private static string Fingerprint(string folder) => string.Join(
        '\n',
        new DirectoryInfo(folder).EnumerateFiles().OrderBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{f.Name}:{f.Length}:{f.LastWriteTimeUtc.Ticks}")));

    private sealed record Loaded(ProvinceKeyring Keyring, HealthCodeSigner Signer, string Fingerprint);
}
