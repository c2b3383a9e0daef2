using HealthCode.Trust.Privacy;

namespace HealthCode.Api.Infrastructure.Privacy;

/// <summary>
/// DESIGN §7 for the privacy keys: the ones in <c>keys-sample/privacy/</c> are published, so anyone could read personal
/// data encrypted with them or test guesses against their blind indexes. They are known here by the SHA-256 of their
/// secret; a test checks this list against the files.
/// </summary>
internal static class SamplePrivacyKeys
{
    private static readonly HashSet<string> Fingerprints = new(StringComparer.Ordinal)
    {
        "d85e250fe55eefdca90731db1a0706492a8403e876a9fb8eaec5355460996237", // privacy/data-6767a67e (the older data key)
        "acbc3eb1126ddc722137976ca9de34fc3ec41c27fcef945ff39ca14be5813401", // privacy/data-f03a3a26 (current)
        "7178b6d799574094d72f08ea81bf671facb2eef62272beaa1b2ad8800b135f37", // privacy/index-be781bbf
    };

    public static bool IsSample(PrivacyKey key) => Fingerprints.Contains(key.Fingerprint);
}
