using HealthCode.Api.Infrastructure.Settings;
using HealthCode.Trust.Keys;

namespace HealthCode.Api.Infrastructure.Keys;

/// <summary>
/// DESIGN §7: the service refuses to start outside Development with any key from <c>keys-sample/</c>.
/// Their private halves are in the repository for anyone to read, so with one of them anyone could sign
/// this province's codes or trust list, a partner's list, or the hub's federation list. Every environment
/// but Development refuses them (Staging and any other name included), not only Production.
/// </summary>
internal static class SampleKeyGuard
{
    /// <summary>
    /// Returns <paramref name="loaded"/>, or disposes it and throws one line naming <paramref name="setting"/>
    /// when any of its keys is a sample key outside Development.
    /// </summary>
    public static T Checked<T>(T loaded, Func<T, IEnumerable<EcKey>> keys, IHostEnvironment environment, string setting, string path)
        where T : IDisposable
    {
        if (!environment.IsDevelopment() && keys(loaded).Any(SampleKeys.IsSample))
        {
            loaded.Dispose();
            throw new SettingException(
                $"Refusing to start in {environment.EnvironmentName} with a public sample key from keys-sample/: {setting} = '{path}'. " +
                "Sample keys are for Development only; generate real keys with 'healthcode keys generate' (a partner's or the hub's real key comes from them, out of band).");
        }

        return loaded;
    }

    /// <summary>
    /// <see cref="Checked{T}"/> for JWK files; a file that is missing or not a key is left to the loader
    /// that reports it.
    /// </summary>
    public static void CheckFiles(IEnumerable<string> files, IHostEnvironment environment, string setting, string path)
    {
        if (environment.IsDevelopment())
        {
            return;
        }

        foreach (var file in files.Where(File.Exists))
        {
            EcKey key;
            try
            {
                key = EcKey.Load(file);
            }
            catch (InvalidKeyException)
            {
                continue;
            }

            Checked(key, k => [k], environment, setting, path).Dispose();
        }
    }
}
