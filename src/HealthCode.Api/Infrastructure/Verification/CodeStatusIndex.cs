using System.Collections.Concurrent;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Infrastructure.Verification;

/// <summary>
/// The current status version of every code this province issued, in memory, so that a scan can
/// tell a token signed before the latest declaration (<c>code_revoked</c>) without waiting on the
/// store. Warmed at start-up and kept current by each declaration, on this instance or, through
/// <see cref="ICodeStatusFeed"/>, on another instance of the province.
/// </summary>
internal sealed class CodeStatusIndex
{
    private readonly ConcurrentDictionary<string, int> versions = new(StringComparer.Ordinal);

    public async Task WarmAsync(IHealthCodeStore store, CancellationToken cancellationToken)
    {
        await foreach (var (codeId, version) in store.GetStatusVersionsAsync(cancellationToken))
        {
            Set(codeId, version);
        }
    }

    public void Set(string codeId, int version) =>
        versions.AddOrUpdate(codeId, version, (_, held) => Math.Max(held, version));

    /// <summary>True when the token's status version is older than the code's current one.</summary>
    public bool IsSuperseded(string codeId, int tokenVersion) =>
        versions.TryGetValue(codeId, out var current) && tokenVersion < current;
}
