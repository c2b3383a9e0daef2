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

    public void Dispose() => current.Keyring.Dispose();

    private Loaded Load()
    {
        var keyring = SampleKeyGuard.Checked(
            ProvinceKeyring.Load(Folder), k => k.Issuers.Select(i => i.Key).Append(k.Root), environment, "HealthCode:Keys:Path", Folder);

        return new Loaded(keyring, new HealthCodeSigner(keyring.ActiveIssuer));
    }

    private sealed record Loaded(ProvinceKeyring Keyring, HealthCodeSigner Signer);
}
