using System.Net;
using System.Text.Json.Nodes;

namespace HealthCode.Api.Tests.Support;

/// <summary>An auditor reading a paged log (the scan audit, the data-use log) page after page, as a client follows nextCursor.</summary>
internal static class LogPages
{
    /// <summary>
    /// The entries of every page of <paramref name="path"/>?<paramref name="query"/>, following <c>nextCursor</c> until it is
    /// null (bounded: 50 pages), and how many entries each page held.
    /// </summary>
    public static async Task<(List<JsonNode> Entries, List<int> Pages)> AllAsync(HttpClient http, string path, string query, string token = HealthCodeFactory.OperatorKey)
    {
        var entries = new List<JsonNode>();
        var pages = new List<int>();
        var next = $"{path}?{query}";
        while (pages.Count < 50)
        {
            var response = await StaffClient.Operator(http, HttpMethod.Get, next, null, token);
            var text = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
            var page = JsonNode.Parse(text)!;
            var held = page["entries"]!.AsArray().Select(e => e!).ToList();
            entries.AddRange(held);
            pages.Add(held.Count);
            if (page["nextCursor"] is not { } cursor)
            {
                return (entries, pages);
            }

            next = $"{path}?{query}&cursor={cursor}";
        }

        Assert.Fail($"{path}?{query} still had a next page after 50");
        return (entries, pages);
    }

    /// <summary>The seq of each entry.</summary>
    public static IEnumerable<long> Seqs(this IEnumerable<JsonNode> entries) => entries.Select(e => e["seq"]!.GetValue<long>());
}
