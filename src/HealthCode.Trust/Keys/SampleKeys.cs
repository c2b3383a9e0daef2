namespace HealthCode.Trust.Keys;

/// <summary>
/// Recognises the public sample keys committed under <c>keys-sample/</c>. Their private halves are in
/// the repository for anyone to read, so the service refuses to start in Production with any of them
/// (DESIGN §7). The sample departments' batch-signing keys (<c>departments/&lt;code&gt;</c>, DESIGN §9) are listed too, so a
/// service can refuse to register one outside Development.
/// </summary>
public static class SampleKeys
{
    /// <summary>RFC 7638 thumbprints of every key in <c>keys-sample/</c>; a test checks this list against the files.</summary>
    private static readonly HashSet<string> Thumbprints = new(StringComparer.Ordinal)
    {
        "QYKz077tWnCblC224-CcxT894o_ckdP-NGuP3MQW88c", // 330000/issuer-1
        "Lfnlt1J7f0wA0iDxe03zBqRsj_GGJjYJ_9RHVeF7op0", // 330000/root
        "YhOvh1UUDJ4QjI2oluOy2UJ0WA-FeJ2GrpbsZJvQfyA", // 410000/issuer-1
        "3z-Hn3nRi3Fxo56g2An9MzThCNDJ2r58p-u8nE6ujJ0", // 410000/root
        "S12fu945naJpsFXA9d6U-1Dfh4Tba0gvtOeecUDqWwI", // 440000/issuer-1
        "n4sAMb86ehIgn358BTkESLN4ZmREJKoPJI4sQibR-pw", // 440000/root
        "7ewzDKWAr0LLUatwNsiGOf7RHiJBkI4J69Cx0Mp0-p0", // hub/anchor
        "q2KuEuwsP1zR3jSHQ8U6CrEpQeAco3qvZ9IW0JuS7D4", // departments/CDC (disease control)
        "Afm_4LsQCnV4b3tjAUOYPPV1y6uKScB0DzWpa_ALbco", // departments/GA (public security: population register)
        "tpjCgVL4hvJIARt5gkws5FaOCp2W4k8gqCcxoCKtZFg", // departments/WJW (health commission: risk areas)
        "5fSn0LMnHMbl8O0eWO2teAGcaEoSqV9HTzjnw5g3so4", // departments/JT (transport: travel)
        "ZYY7lBBXRS7Y5CkXZczobYz1CB-vj6WVOJRuTGs6GHQ", // departments/LAB-01 (a testing lab: tests)
    };

    /// <summary>True when the key is one of the published sample keys.</summary>
    /// <param name="key">Any key, public or private.</param>
    /// <returns>Whether its thumbprint is a sample key's.</returns>
    public static bool IsSample(EcKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Thumbprints.Contains(key.Thumbprint);
    }
}
