using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace HealthCode.Api.Infrastructure.Audit;

/// <summary>
/// What a hash-chained log entry's hash covers (the scan audit's <see cref="AuditChain"/>, the data-use log's chain):
/// its fields in order, each length-prefixed (<c>len:field|</c>), so that no choice of values makes two entries hash
/// alike; the hash is SHA-256 of that text in UTF-8, in lower-case hex.
/// </summary>
internal sealed class ChainHash
{
    private readonly StringBuilder text = new();

    public ChainHash Add(string field)
    {
        text.Append(field.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(field).Append('|');
        return this;
    }

    public ChainHash Add(long number) => Add(number.ToString(CultureInfo.InvariantCulture));

    public string Hex() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
}
