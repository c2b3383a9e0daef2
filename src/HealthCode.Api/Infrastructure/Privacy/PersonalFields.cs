namespace HealthCode.Api.Infrastructure.Privacy;

/// <summary>
/// The field cipher and the blind index as the stores use them (DESIGN §11): a personal value is written sealed to its
/// field and row, and found again through its keyed index, never by its clear value.
/// </summary>
/// <remarks>
/// A stored value that does not read (tampered, moved from another row, or left in clear behind the service's back) is
/// refused with a <see cref="ProtectedValueException"/>, never shown: rows written before encryption are encrypted by
/// <see cref="PersonalDataJob"/> before the service serves.
/// </remarks>
internal sealed class PersonalFields(FieldCipher cipher, BlindIndex index)
{
    /// <summary>The fields of the keys in <paramref name="folder"/>, loaded as in Development (tests, benchmarks).</summary>
    public static PersonalFields Load(string folder)
    {
        var ring = PrivacyKeyRing.Load(folder);
        return new PersonalFields(new FieldCipher(ring), new BlindIndex(ring));
    }

    /// <summary>The stored form of <paramref name="value"/> in <paramref name="field"/> of the row <paramref name="row"/>.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(value))]
    public string? Seal(PrivacyField field, string? value, string row) => cipher.Protect(field, value, row);

    /// <summary>The clear value of <paramref name="stored"/>, read from <paramref name="field"/> of the row <paramref name="row"/>.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(stored))]
    public string? Open(PrivacyField field, string? stored, string row) => cipher.Unprotect(field, stored, row);

    /// <summary>The blind index a look-up of <paramref name="value"/> in <paramref name="field"/> goes through.</summary>
    public string Index(PrivacyField field, string value) => index.Compute(field, value);
}
