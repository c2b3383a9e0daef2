using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HealthCode.Trust.Keys;

namespace HealthCode.Trust.Privacy;

/// <summary>What a privacy key is for (DESIGN §11).</summary>
public enum PrivacyKeyUse
{
    /// <summary>AES-256-GCM: encrypts personal fields. Several may exist; one is current for new writes.</summary>
    Data,

    /// <summary>HMAC-SHA256: the blind indexes that look-ups by ID number or phone go through. Exactly one.</summary>
    Index,
}

/// <summary>
/// The folder of privacy keys, <c>HealthCode:Privacy:KeysPath</c> (DESIGN §11; format in <c>keys-sample/privacy/README.md</c>):
/// one JSON file per key, <c>data-&lt;kid&gt;.json</c> or <c>index-&lt;kid&gt;.json</c>, each
/// <c>{"kid", "use", "created", "secret"}</c> with a base64 32-byte secret, created owner-only and never overwritten; and a
/// file <c>current-data-key</c> holding the kid of the data key that encrypts new values.
/// </summary>
/// <remarks>
/// The current key is named in a file of its own rather than flagged inside the key files: switching it is one atomic
/// rename, so a reader never sees two current keys or none, and a new data key can be copied to every instance before any
/// instance writes with it (rotation without downtime across instances).
/// </remarks>
public static class PrivacyKeyFolder
{
    /// <summary>The file naming the current data key by its kid.</summary>
    public const string CurrentFileName = "current-data-key";

    /// <summary>The length of a secret: AES-256 and HMAC-SHA256 take 32 bytes.</summary>
    public const int SecretBytes = 32;

    /// <summary>The length of a kid: lowercase hex digits.</summary>
    public const int KidLength = 8;

    // A key file is a few hundred bytes; anything much larger is not one, and is not read whole into memory.
    private const long MaxFileBytes = 4096;

    // Domain separation: a kid is derived from the secret, never equal to a prefix of its plain SHA-256.
    private static readonly byte[] KidLabel = "healthcode privacy kid\0"u8.ToArray();

    /// <summary>The kid of a secret: the first 8 hex digits of SHA-256 over a label and the secret.</summary>
    /// <param name="secret">The 32-byte secret.</param>
    /// <returns>8 lowercase hex digits; the loader checks each file's kid against it, so an edited kid is refused.</returns>
    public static string KidOf(ReadOnlySpan<byte> secret)
    {
        Span<byte> input = stackalloc byte[KidLabel.Length + SecretBytes];
        if (secret.Length != SecretBytes)
        {
            throw new ArgumentException($"A privacy key's secret is {SecretBytes} bytes.", nameof(secret));
        }

        KidLabel.CopyTo(input);
        secret.CopyTo(input[KidLabel.Length..]);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);
        CryptographicOperations.ZeroMemory(input);
        return Convert.ToHexStringLower(hash[..(KidLength / 2)]);
    }

    /// <summary>The file name of a key: <c>data-&lt;kid&gt;.json</c> or <c>index-&lt;kid&gt;.json</c>.</summary>
    /// <param name="use">What the key is for.</param>
    /// <param name="kid">Its kid.</param>
    /// <returns>The file name, without folder.</returns>
    public static string FileName(PrivacyKeyUse use, string kid) => $"{UseName(use)}-{kid}.json";

    /// <summary>Writes a new key with a random secret, owner-only, atomically; never overwrites a file.</summary>
    /// <param name="folder">The key folder; created (owner-only) when missing.</param>
    /// <param name="use">What the key is for.</param>
    /// <param name="created">When it is created, recorded in the file.</param>
    /// <returns>The new key's kid.</returns>
    /// <exception cref="IOException">A file of that name exists already.</exception>
    public static string Generate(string folder, PrivacyKeyUse use, DateTimeOffset created)
    {
        byte[] secret = RandomNumberGenerator.GetBytes(SecretBytes);
        try
        {
            string kid = KidOf(secret);
            CreateFolder(folder);
            string json = JsonSerializer.Serialize(new KeyFileContent
            {
                Kid = kid,
                Use = UseName(use),
                Created = created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                Secret = Convert.ToBase64String(secret),
            }, KeyFileJson.Options);
            AtomicFile.Create(Path.Combine(folder, FileName(use, kid)), json + "\n", ownerOnly: true);
            return kid;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Makes the data key <paramref name="kid"/> the one new values are written with (an atomic replace of <see cref="CurrentFileName"/>).</summary>
    /// <param name="folder">The key folder.</param>
    /// <param name="kid">The kid of a data key in the folder.</param>
    /// <exception cref="InvalidKeyException">There is no data key with that kid in the folder, or its file is unusable.</exception>
    public static void MakeCurrent(string folder, string kid)
    {
        ArgumentNullException.ThrowIfNull(kid);
        string path = Path.Combine(folder, FileName(PrivacyKeyUse.Data, kid));
        if (!IsKid(kid) || !File.Exists(path))
        {
            throw new InvalidKeyException($"No data key '{kid}' in {folder}: expected {FileName(PrivacyKeyUse.Data, "<kid>")}.");
        }

        // Read whole, so that current never names a file the service would refuse.
        Read(path).Dispose();
        AtomicFile.Replace(Path.Combine(folder, CurrentFileName), kid + "\n");
    }

    /// <summary>The kid named by <see cref="CurrentFileName"/>, or null when the file is not there.</summary>
    /// <param name="folder">The key folder.</param>
    /// <returns>The kid as written (trimmed); the caller checks that such a data key exists.</returns>
    public static string? ReadCurrent(string folder)
    {
        string path = Path.Combine(folder, CurrentFileName);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }

    /// <summary>Every key file (<c>*.json</c>) of the folder, ordered by file name.</summary>
    /// <param name="folder">The key folder.</param>
    /// <returns>The keys; dispose them when done.</returns>
    /// <exception cref="InvalidKeyException">A file is not a privacy key, or two files hold the same kid.</exception>
    public static IReadOnlyList<PrivacyKey> ReadAll(string folder)
    {
        var keys = new List<PrivacyKey>();
        try
        {
            foreach (string file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
            {
                PrivacyKey key = Read(file);
                keys.Add(key);
                if (keys.Count(k => k.Kid == key.Kid) > 1)
                {
                    throw new InvalidKeyException($"{file}: kid '{key.Kid}' is held by another key file of {folder} too.");
                }
            }

            return keys;
        }
        catch
        {
            keys.ForEach(k => k.Dispose());
            throw;
        }
    }

    /// <summary>Reads one key file and checks it whole: its use, its created time, a 32-byte secret and the kid derived from it.</summary>
    /// <param name="path">The key file.</param>
    /// <returns>The key; dispose it when done (its secret is zeroed).</returns>
    /// <exception cref="InvalidKeyException">The file is not a usable privacy key; the message names the file and the reason, never the secret.</exception>
    public static PrivacyKey Read(string path)
    {
        if (new FileInfo(path).Length > MaxFileBytes)
        {
            throw new InvalidKeyException($"{path}: larger than {MaxFileBytes} bytes, not a privacy key file.");
        }

        KeyFileContent? content;
        try
        {
            content = JsonSerializer.Deserialize<KeyFileContent>(File.ReadAllBytes(path), KeyFileJson.Options);
        }
        catch (JsonException)
        {
            throw new InvalidKeyException($"{path}: not a privacy key file (JSON with kid, use, created and secret).");
        }

        if (content is null)
        {
            throw new InvalidKeyException($"{path}: not a privacy key file (JSON with kid, use, created and secret).");
        }

        PrivacyKeyUse use = content.Use switch
        {
            "data" => PrivacyKeyUse.Data,
            "index" => PrivacyKeyUse.Index,
            _ => throw new InvalidKeyException($"{path}: \"use\" must be \"data\" or \"index\"."),
        };
        if (!DateTimeOffset.TryParse(content.Created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset created))
        {
            throw new InvalidKeyException($"{path}: \"created\" must be a time like 2026-12-07T04:30:00Z.");
        }

        byte[] secret = new byte[SecretBytes];
        if (content.Secret is null || !Convert.TryFromBase64String(content.Secret, secret, out int written) || written != SecretBytes)
        {
            CryptographicOperations.ZeroMemory(secret);
            throw new InvalidKeyException($"{path}: \"secret\" must be {SecretBytes} bytes in base64.");
        }

        string kid = KidOf(secret);
        if (content.Kid != kid)
        {
            CryptographicOperations.ZeroMemory(secret);
            throw new InvalidKeyException($"{path}: \"kid\" does not belong to this secret (a kid is derived from its secret; see keys-sample/privacy/README.md).");
        }

        return new PrivacyKey(kid, use, created, secret);
    }

    private static bool IsKid(string kid) => kid.Length == KidLength && kid.All(char.IsAsciiHexDigitLower);

    private static string UseName(PrivacyKeyUse use) => use == PrivacyKeyUse.Data ? "data" : "index";

    private static void CreateFolder(string folder)
    {
        if (Directory.Exists(folder))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private sealed class KeyFileContent
    {
        public string? Kid { get; set; }

        public string? Use { get; set; }

        public string? Created { get; set; }

        public string? Secret { get; set; }
    }

    private static class KeyFileJson
    {
        public static readonly JsonSerializerOptions Options = new()
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = true,
            // A key file is never embedded in HTML: base64's '+' and '/' stay as they are rather than \u002B.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
    }
}

/// <summary>One privacy key read from its file; disposing it zeroes the secret.</summary>
public sealed class PrivacyKey : IDisposable
{
    private readonly byte[] _secret;

    internal PrivacyKey(string kid, PrivacyKeyUse use, DateTimeOffset created, byte[] secret)
    {
        Kid = kid;
        Use = use;
        Created = created;
        _secret = secret;
    }

    /// <summary>8 lowercase hex digits derived from the secret; stored with every value it encrypts.</summary>
    public string Kid { get; }

    /// <summary>What the key is for.</summary>
    public PrivacyKeyUse Use { get; }

    /// <summary>When it was made (from its file).</summary>
    public DateTimeOffset Created { get; }

    /// <summary>The 32-byte secret.</summary>
    public ReadOnlySpan<byte> Secret => _secret;

    /// <summary>SHA-256 of the secret in hex: tells a published sample key from a real one without holding the secret.</summary>
    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(_secret));

    /// <inheritdoc/>
    public void Dispose() => CryptographicOperations.ZeroMemory(_secret);
}
