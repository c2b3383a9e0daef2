using HealthCode.Trust.Keys;
using HealthCode.Trust.Tokens;
using Microsoft.Extensions.Options;

namespace HealthCode.Api.Infrastructure.Keys;

/// <summary>
/// This province's keys, loaded once at start-up from <c>HealthCode:Keys:Path</c> and held in
/// memory. In Production a key from <c>keys-sample/</c> stops the service (DESIGN §7): those keys
/// are public, so anyone could forge codes with them.
/// </summary>
internal sealed class IssuingKeys : IDisposable
{
    public IssuingKeys(IOptions<HealthCodeOptions> options, IHostEnvironment environment)
    {
        var folder = Path.GetFullPath(options.Value.Keys.Path, environment.ContentRootPath);
        if (!Directory.Exists(folder))
        {
            throw new InvalidOperationException($"HealthCode:Keys:Path '{folder}' does not exist. Point it at the folder of this province's keys.");
        }

        Keys = ProvinceKeys.Load(folder);
        if (environment.IsProduction() && Keys.Issuers.Append(Keys.Root).Any(SampleKeys.IsSample))
        {
            Keys.Dispose();
            throw new InvalidOperationException(
                $"Refusing to start in Production with a public sample key from keys-sample/ ('{folder}'). " +
                "Generate this province's own keys with 'healthcode keys generate' and set HealthCode:Keys:Path.");
        }

        Signer = new HealthCodeSigner(Keys.ActiveIssuer);
    }

    public ProvinceKeys Keys { get; }

    public HealthCodeSigner Signer { get; }

    public void Dispose() => Keys.Dispose();
}
