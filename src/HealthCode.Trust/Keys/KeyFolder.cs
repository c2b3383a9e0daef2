namespace HealthCode.Trust.Keys;

/// <summary>
/// Key files as DESIGN §4.4 lays them out: <c>&lt;name&gt;.private.jwk</c> and <c>&lt;name&gt;.public.jwk</c>
/// side by side in a folder. A public file alone is normal (an offline root, a partner's key).
/// </summary>
public static class KeyFolder
{
    /// <summary>The suffix of a private JWK file.</summary>
    public const string PrivateSuffix = ".private.jwk";

    /// <summary>The suffix of a public JWK file.</summary>
    public const string PublicSuffix = ".public.jwk";

    /// <summary>True when <c>&lt;name&gt;.private.jwk</c> or <c>&lt;name&gt;.public.jwk</c> exists in the folder.</summary>
    /// <param name="folder">The key folder.</param>
    /// <param name="name">The key name, e.g. <c>root</c>.</param>
    /// <returns>Whether either file exists.</returns>
    public static bool Exists(string folder, string name) =>
        File.Exists(Path.Combine(folder, name + PrivateSuffix)) || File.Exists(Path.Combine(folder, name + PublicSuffix));

    /// <summary>
    /// Loads the key called <paramref name="name"/>: the private file when there is one, else the public one.
    /// When both exist they must hold the same key.
    /// </summary>
    /// <param name="folder">The key folder.</param>
    /// <param name="name">The key name, e.g. <c>root</c> or <c>anchor</c>.</param>
    /// <returns>The key.</returns>
    /// <exception cref="FileNotFoundException">Neither file exists.</exception>
    /// <exception cref="InvalidKeyException">A file is not a usable key, or the two files disagree.</exception>
    public static EcKey LoadKey(string folder, string name)
    {
        string privatePath = Path.Combine(folder, name + PrivateSuffix);
        string publicPath = Path.Combine(folder, name + PublicSuffix);
        bool hasPrivate = File.Exists(privatePath);
        bool hasPublic = File.Exists(publicPath);
        if (!hasPrivate && !hasPublic)
        {
            throw new FileNotFoundException($"No key \"{name}\" in {folder}: expected {name}{PrivateSuffix} or {name}{PublicSuffix}.", publicPath);
        }

        if (!hasPrivate)
        {
            return EcKey.Load(publicPath);
        }

        EcKey key = EcKey.Load(privatePath);
        if (!key.HasPrivateKey)
        {
            key.Dispose();
            throw new InvalidKeyException($"{privatePath}: the file holds no private key (\"d\").");
        }

        if (hasPublic)
        {
            using EcKey publicKey = EcKey.Load(publicPath);
            if (publicKey.Thumbprint != key.Thumbprint)
            {
                key.Dispose();
                throw new InvalidKeyException($"{privatePath} and {publicPath} hold different keys.");
            }
        }

        return key;
    }

    /// <summary>Writes <c>&lt;name&gt;.private.jwk</c> (owner-only on Unix) and <c>&lt;name&gt;.public.jwk</c>, each atomically (temporary file, then rename); never overwrites.</summary>
    /// <param name="folder">The key folder; created when missing.</param>
    /// <param name="name">The key name.</param>
    /// <param name="key">A key with its private part.</param>
    /// <exception cref="IOException">One of the files exists already.</exception>
    public static void WritePair(string folder, string name, EcKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        EnsureAbsent(folder, [name]);
        Directory.CreateDirectory(folder);
        AtomicFile.Create(Path.Combine(folder, name + PrivateSuffix), key.ToJwk(includePrivate: true, indented: true) + "\n", ownerOnly: true);
        AtomicFile.Create(Path.Combine(folder, name + PublicSuffix), key.ToJwk(includePrivate: false, indented: true) + "\n", ownerOnly: false);
    }

    /// <summary>Throws before anything is written when any file of the named keys exists.</summary>
    internal static void EnsureAbsent(string folder, IEnumerable<string> names)
    {
        foreach (string name in names)
        {
            foreach (string suffix in (string[])[PrivateSuffix, PublicSuffix])
            {
                string path = Path.Combine(folder, name + suffix);
                if (File.Exists(path))
                {
                    throw new IOException($"{path} exists already; key files are never overwritten.");
                }
            }
        }
    }
}
