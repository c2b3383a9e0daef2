using System.Globalization;

namespace HealthCode.Trust.Keys;

/// <summary>
/// A province's key folder (DESIGN §4.4): the root key that signs its trust list (often only the public
/// half here: the root is kept offline in production) and the numbered issuer keys that sign health codes.
/// </summary>
public sealed class ProvinceKeys : IDisposable
{
    /// <summary>The file name (without suffix) of the root key.</summary>
    public const string RootName = "root";

    /// <summary>The file name (without suffix) of the hub's anchor key.</summary>
    public const string HubAnchorName = "anchor";

    private const string IssuerPrefix = "issuer-";

    private readonly EcKey? _activeIssuer;

    private ProvinceKeys(EcKey root, IReadOnlyList<EcKey> issuers, IReadOnlyList<int> issuerNumbers, EcKey? activeIssuer)
    {
        Root = root;
        Issuers = issuers;
        IssuerNumbers = issuerNumbers;
        _activeIssuer = activeIssuer;
    }

    /// <summary>The root key: private when <c>root.private.jwk</c> is present, else public only.</summary>
    public EcKey Root { get; }

    /// <summary>Every issuer key, ordered by its number N (<c>issuer-N</c>), lowest first.</summary>
    public IReadOnlyList<EcKey> Issuers { get; }

    /// <summary>The number N of each key in <see cref="Issuers"/>, in the same order.</summary>
    public IReadOnlyList<int> IssuerNumbers { get; }

    /// <summary>True when some issuer key has its private part, so this instance can issue codes.</summary>
    public bool HasActiveIssuer => _activeIssuer is not null;

    /// <summary>The issuer key that signs new codes: the highest N that has a private key.</summary>
    /// <exception cref="InvalidOperationException">No issuer key in the folder has a private part.</exception>
    public EcKey ActiveIssuer => _activeIssuer
        ?? throw new InvalidOperationException("No issuer-N.private.jwk in the key folder: this instance cannot issue codes.");

    /// <summary>Loads <c>root</c> and every <c>issuer-N</c> key of a folder.</summary>
    /// <param name="folder">The province's key folder, e.g. <c>keys-sample/410000</c>.</param>
    /// <returns>The keys; dispose them when done.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">There is no root key.</exception>
    /// <exception cref="InvalidKeyException">A key file is unusable, or there is no issuer key.</exception>
    public static ProvinceKeys Load(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"Key folder {folder} does not exist.");
        }

        var loaded = new List<EcKey>();
        try
        {
            EcKey root = KeyFolder.LoadKey(folder, RootName);
            loaded.Add(root);

            var issuers = new List<EcKey>();
            List<int> numbers = IssuerNumbersIn(folder);
            EcKey? active = null;
            foreach (int n in numbers)
            {
                EcKey issuer = KeyFolder.LoadKey(folder, IssuerName(n));
                loaded.Add(issuer);
                issuers.Add(issuer);
                if (issuer.HasPrivateKey)
                {
                    active = issuer; // numbers are ascending, so the last one wins
                }
            }

            if (issuers.Count == 0)
            {
                throw new InvalidKeyException($"No issuer-N.private.jwk or issuer-N.public.jwk in {folder}.");
            }

            return new ProvinceKeys(root, issuers, numbers, active);
        }
        catch
        {
            // Config-time failure: release what was loaded, then let start-up fail with the original error.
            loaded.ForEach(k => k.Dispose());
            throw;
        }
    }

    /// <summary>Writes a new province folder: <c>root</c> and <c>issuer-1</c>, each as a private and a public JWK.</summary>
    /// <param name="folder">The folder; created when missing.</param>
    /// <exception cref="IOException">Any of the four files exists already; nothing is written then.</exception>
    public static void Generate(string folder)
    {
        KeyFolder.EnsureAbsent(folder, [RootName, IssuerName(1)]);
        using EcKey root = EcKey.Generate();
        using EcKey issuer = EcKey.Generate();
        KeyFolder.WritePair(folder, RootName, root);
        KeyFolder.WritePair(folder, IssuerName(1), issuer);
    }

    /// <summary>Writes the next issuer key, <c>issuer-(N+1)</c>, which becomes the active one on the next load (key rotation).</summary>
    /// <param name="folder">An existing province key folder.</param>
    /// <returns>The new key's number N.</returns>
    public static int GenerateNextIssuer(string folder)
    {
        List<int> numbers = IssuerNumbersIn(folder);
        int next = numbers.Count == 0 ? 1 : numbers[^1] + 1;
        using EcKey issuer = EcKey.Generate();
        KeyFolder.WritePair(folder, IssuerName(next), issuer);
        return next;
    }

    /// <summary>Writes the national hub's anchor key (DESIGN §4.3): <c>anchor.private.jwk</c> and <c>anchor.public.jwk</c>.</summary>
    /// <param name="folder">The folder; created when missing.</param>
    /// <exception cref="IOException">A file exists already; nothing is written then.</exception>
    public static void GenerateHubAnchor(string folder)
    {
        using EcKey anchor = EcKey.Generate();
        KeyFolder.WritePair(folder, HubAnchorName, anchor);
    }

    /// <summary>Loads the hub's anchor key from a folder written by <see cref="GenerateHubAnchor"/>.</summary>
    /// <param name="folder">The hub key folder.</param>
    /// <returns>The anchor key (private when present).</returns>
    public static EcKey LoadHubAnchor(string folder) => KeyFolder.LoadKey(folder, HubAnchorName);

    /// <inheritdoc />
    public void Dispose()
    {
        Root.Dispose();
        foreach (EcKey issuer in Issuers)
        {
            issuer.Dispose();
        }
    }

    internal static string IssuerName(int n) => IssuerPrefix + n.ToString(CultureInfo.InvariantCulture);

    /// <summary>The N of every <c>issuer-N.*.jwk</c> file, ascending, each once.</summary>
    private static List<int> IssuerNumbersIn(string folder)
    {
        var numbers = new SortedSet<int>();
        foreach (string path in Directory.EnumerateFiles(folder, IssuerPrefix + "*.jwk"))
        {
            string file = Path.GetFileName(path);
            string? stem = file.EndsWith(KeyFolder.PrivateSuffix, StringComparison.Ordinal) ? file[..^KeyFolder.PrivateSuffix.Length]
                : file.EndsWith(KeyFolder.PublicSuffix, StringComparison.Ordinal) ? file[..^KeyFolder.PublicSuffix.Length]
                : null;
            string digits = stem is null ? string.Empty : stem[IssuerPrefix.Length..];
            if (digits.Length > 0 && digits.All(char.IsAsciiDigit) && digits[0] != '0'
                && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            {
                numbers.Add(n);
            }
        }

        return [.. numbers];
    }
}
