using System.Collections.Frozen;
using HealthCode.Api.Infrastructure.Settings;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Privacy;

namespace HealthCode.Api.Infrastructure.Privacy;

/// <summary>
/// The privacy keys of DESIGN §11, loaded from <c>HealthCode:Privacy:KeysPath</c> at start and held in memory: every data
/// key by its kid (old ones read old values), the current one that writes new values, and the one blind-index key, kept
/// apart from the data keys so that an index never changes when data keys rotate.
/// </summary>
/// <remarks>
/// A folder that is not there, no current data key, no index key or a sample key outside Development stops the service
/// with one line (<see cref="SettingException"/>, exit 78), like the signing keys (<see cref="Keys.IssuingKeys"/>).
/// A data key added to the folder later is loaded when a value names its kid (<see cref="TryLoadDataKey"/>): an instance
/// still on the older current key reads what another instance, already switched to the new one, wrote.
/// </remarks>
internal sealed class PrivacyKeyRing : IDisposable
{
    public const string Setting = "HealthCode:Privacy:KeysPath";

    /// <summary>How often at most the folder is read again for a kid this ring has not loaded: a flood of values with unknown kids reads it once.</summary>
    public static readonly TimeSpan ReloadInterval = TimeSpan.FromSeconds(5);

    private readonly Lock reloading = new();
    private readonly List<PrivacyKey> loadedLater = [];
    private readonly bool development;
    private readonly TimeProvider time;
    private FrozenDictionary<string, PrivacyKey> dataKeys;
    private long lastReload = long.MinValue;

    public PrivacyKeyRing(IOptions<HealthCodeOptions> options, IHostEnvironment environment, TimeProvider time)
        : this(Resolve(options.Value.Privacy.KeysPath, environment.ContentRootPath), environment.IsDevelopment(), environment.EnvironmentName, time)
    {
    }

    private PrivacyKeyRing(string folder, bool development, string environmentName, TimeProvider time)
    {
        Folder = folder;
        this.development = development;
        this.time = time;
        if (!Directory.Exists(folder))
        {
            throw new SettingException($"{Setting} '{folder}' does not exist. Point it at the folder of this province's privacy keys (keys-sample/privacy/README.md).");
        }

        IReadOnlyList<PrivacyKey> keys;
        try
        {
            keys = PrivacyKeyFolder.ReadAll(folder);
        }
        catch (Exception ex) when (ex is InvalidKeyException or IOException or UnauthorizedAccessException)
        {
            throw new SettingException($"{Setting}: {ex.Message}");
        }

        try
        {
            dataKeys = keys.Where(k => k.Use == PrivacyKeyUse.Data).ToFrozenDictionary(k => k.Kid, StringComparer.Ordinal);
            string? current = PrivacyKeyFolder.ReadCurrent(folder);
            if (current is null || !dataKeys.TryGetValue(current, out PrivacyKey? currentKey))
            {
                throw new SettingException(current is null
                    ? $"{Setting} '{folder}' has no current data key: no file {PrivacyKeyFolder.CurrentFileName} naming one. Make one with 'healthcode keys privacy --data --out {folder}'."
                    : $"{Setting} '{folder}' has no current data key: {PrivacyKeyFolder.CurrentFileName} names '{current}', and there is no {PrivacyKeyFolder.FileName(PrivacyKeyUse.Data, current)}.");
            }

            CurrentDataKey = currentKey;
            var indexKeys = keys.Where(k => k.Use == PrivacyKeyUse.Index).ToList();
            IndexKey = indexKeys.Count switch
            {
                1 => indexKeys[0],
                0 => throw new SettingException(
                    $"{Setting} '{folder}' has no blind-index key (index-<kid>.json). Make one with 'healthcode keys privacy --index --out {folder}'."),
                // Look-ups would hit with one and miss with the other: which one made an index is not stored with it.
                _ => throw new SettingException(
                    $"{Setting} '{folder}' has {indexKeys.Count} blind-index keys ({string.Join(", ", indexKeys.Select(k => k.Kid))}); it must have exactly one."),
            };

            if (!development && keys.FirstOrDefault(SamplePrivacyKeys.IsSample) is { } sample)
            {
                throw new SettingException(
                    $"Refusing to start in {environmentName} with a public sample key from keys-sample/: {Setting} = '{folder}' (kid {sample.Kid}). " +
                    "Sample keys are for Development only; generate real ones with 'healthcode keys privacy'.");
            }

            All = keys;
        }
        catch
        {
            foreach (PrivacyKey key in keys)
            {
                key.Dispose();
            }

            throw;
        }
    }

    public string Folder { get; }

    /// <summary>The data key new values are written with.</summary>
    public PrivacyKey CurrentDataKey { get; }

    /// <summary>Every data key, the current one included.</summary>
    public IEnumerable<PrivacyKey> DataKeys => Volatile.Read(ref dataKeys).Values;

    /// <summary>The key of every blind index; it never rotates with the data keys.</summary>
    public PrivacyKey IndexKey { get; }

    private IReadOnlyList<PrivacyKey> All { get; }

    /// <summary>Loads a folder as the service would in Development (tests, benchmarks, the re-encryption job's tools).</summary>
    public static PrivacyKeyRing Load(string folder, TimeProvider? time = null) =>
        new(Path.GetFullPath(folder), development: true, Environments.Development, time ?? TimeProvider.System);

    public bool TryGetDataKey(string kid, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PrivacyKey? key) =>
        Volatile.Read(ref dataKeys).TryGetValue(kid, out key);

    /// <summary>
    /// The data key <paramref name="kid"/>, read from the folder when this ring has not loaded it yet: another instance,
    /// switched to a newer current key first, wrote a value with it (rotation, keys-sample/privacy/README.md). At most
    /// once per <see cref="ReloadInterval"/>; null when the folder has no such key (or a sample one outside Development).
    /// </summary>
    /// <param name="kid">Eight lower-case hex digits (FieldCipher checks the form, so it names a file in the folder only).</param>
    public PrivacyKey? TryLoadDataKey(string kid)
    {
        if (TryGetDataKey(kid, out PrivacyKey? known))
        {
            return known;
        }

        lock (reloading)
        {
            if (TryGetDataKey(kid, out known))
            {
                return known;
            }

            long now = time.GetTimestamp();
            if (lastReload != long.MinValue && time.GetElapsedTime(lastReload, now) < ReloadInterval)
            {
                return null;
            }

            lastReload = now;
            string path = Path.Combine(Folder, PrivacyKeyFolder.FileName(PrivacyKeyUse.Data, kid));
            PrivacyKey key;
            try
            {
                if (!File.Exists(path))
                {
                    return null;
                }

                key = PrivacyKeyFolder.Read(path);
            }
            catch (Exception ex) when (ex is InvalidKeyException or IOException or UnauthorizedAccessException)
            {
                return null;
            }

            if (key.Use != PrivacyKeyUse.Data || key.Kid != kid || (!development && SamplePrivacyKeys.IsSample(key)))
            {
                key.Dispose();
                return null;
            }

            loadedLater.Add(key);
            Volatile.Write(ref dataKeys, dataKeys.Append(new KeyValuePair<string, PrivacyKey>(kid, key)).ToFrozenDictionary(StringComparer.Ordinal));
            return key;
        }
    }

    public void Dispose()
    {
        foreach (PrivacyKey key in All.Concat(loadedLater))
        {
            key.Dispose();
        }
    }

    private static string Resolve(string configured, string contentRoot) => string.IsNullOrWhiteSpace(configured)
        ? throw new SettingException($"{Setting} is required: the folder of this province's privacy keys (keys-sample/privacy/README.md).")
        : Path.GetFullPath(configured, contentRoot);
}
