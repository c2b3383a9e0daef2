using HealthCode.Trust.Keys;

namespace HealthCode.Trust.TrustLists;

/// <summary>An issuer folder that <see cref="TrustFolder.Load(string, TrustStore, TimeProvider)"/> did not load, and why.</summary>
/// <param name="Issuer">The folder name, taken as the issuer id.</param>
/// <param name="Error">The trust list error, or null when the folder itself was unusable (a missing or bad file).</param>
/// <param name="Reason">What an operator should read.</param>
public sealed record TrustFolderRejection(string Issuer, TrustListError? Error, string Reason);

/// <summary>What <see cref="TrustFolder.Load(string, TrustStore, TimeProvider)"/> did.</summary>
/// <param name="Loaded">The issuers whose lists verified and are now trusted.</param>
/// <param name="Rejected">The issuers left out, with the reason.</param>
public sealed record TrustFolderReport(IReadOnlyList<string> Loaded, IReadOnlyList<TrustFolderRejection> Rejected);

/// <summary>
/// Partner trust lists kept on disk: one folder per partner issuer, <c>&lt;folder&gt;/&lt;iss&gt;/root.public.jwk</c> (the
/// pinned root, exchanged out of band) and <c>&lt;folder&gt;/&lt;iss&gt;/trust-list.jws</c>. Used for offline verification
/// and by the web host until lists are fetched. Every list is verified against its pinned root and the folder's
/// issuer before anything is trusted (DESIGN §4.5).
/// </summary>
public static class TrustFolder
{
    /// <summary>The pinned root key's file in an issuer folder.</summary>
    public const string RootFileName = "root" + KeyFolder.PublicSuffix;

    /// <summary>The trust list's file in an issuer folder.</summary>
    public const string ListFileName = "trust-list.jws";

    /// <summary>Loads every partner folder with <see cref="TrustListCodec.DefaultClockSkew"/>.</summary>
    /// <param name="folder">The folder holding one subfolder per partner issuer.</param>
    /// <param name="store">Where verified lists go (<see cref="TrustStore.SetPartner"/>); its held <c>seq</c> refuses rollbacks.</param>
    /// <param name="time">The clock.</param>
    /// <returns>Which issuers were loaded and which were rejected.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static TrustFolderReport Load(string folder, TrustStore store, TimeProvider time) =>
        Load(folder, store, time, TrustListCodec.DefaultClockSkew);

    /// <summary>Loads every partner folder: a bad folder is reported and skipped, it never stops the others.</summary>
    /// <param name="folder">The folder holding one subfolder per partner issuer.</param>
    /// <param name="store">Where verified lists go (<see cref="TrustStore.SetPartner"/>); its held <c>seq</c> refuses rollbacks.</param>
    /// <param name="time">The clock.</param>
    /// <param name="clockSkew">Leeway for the lists' <c>exp</c>.</param>
    /// <returns>Which issuers were loaded and which were rejected.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static TrustFolderReport Load(string folder, TrustStore store, TimeProvider time, TimeSpan clockSkew)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"Trust folder {folder} does not exist.");
        }

        var loaded = new List<string>();
        var rejected = new List<TrustFolderRejection>();
        foreach (string issuerFolder in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
        {
            string issuer = Path.GetFileName(issuerFolder);
            TrustFolderRejection? rejection = LoadIssuer(issuerFolder, issuer, store, time.GetUtcNow(), clockSkew);
            if (rejection is null)
            {
                loaded.Add(issuer);
            }
            else
            {
                rejected.Add(rejection);
            }
        }

        return new TrustFolderReport(loaded, rejected);
    }

    private static TrustFolderRejection? LoadIssuer(string issuerFolder, string issuer, TrustStore store, DateTimeOffset now, TimeSpan clockSkew)
    {
        if (store.IsOwn(issuer))
        {
            return new TrustFolderRejection(issuer, null, "This is the province's own issuer: its keys never come from a partner folder.");
        }

        string rootPath = Path.Combine(issuerFolder, RootFileName);
        string listPath = Path.Combine(issuerFolder, ListFileName);
        EcKey root;
        string jws;
        try
        {
            root = EcKey.Load(rootPath);
            if (new FileInfo(listPath).Length > TrustListCodec.MaxLength)
            {
                root.Dispose();
                return new TrustFolderRejection(issuer, TrustListError.Malformed, $"{listPath} is larger than {TrustListCodec.MaxLength} bytes.");
            }

            jws = File.ReadAllText(listPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidKeyException)
        {
            return new TrustFolderRejection(issuer, null, ex.Message);
        }

        using (root)
        {
            if (root.HasPrivateKey)
            {
                // A root's private half never travels to partners: a folder that has it is set up wrongly.
                return new TrustFolderRejection(issuer, null, $"{rootPath} holds a private key; a pinned root must be public only.");
            }

            TrustListResult result = TrustListCodec.Verify(jws, root, issuer, store.HeldSeq(issuer), now, clockSkew);
            if (!result.IsValid)
            {
                return new TrustFolderRejection(issuer, result.Error, $"{listPath}: {result.Error.Value.ToCode()}");
            }

            return store.SetPartner(result.List)
                ? null
                : new TrustFolderRejection(issuer, TrustListError.Rollback, $"{listPath}: a newer list is held.");
        }
    }
}
