using System.Net;
using System.Text.Json.Nodes;

namespace HealthCode.Api.Tests.Support;

/// <summary>RFC 9457 problem answers as the API gives them: a status, <c>application/problem+json</c>, a stable code.</summary>
internal static class Problems
{
    public static async Task<JsonObject> AssertAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), text);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.That(problem["code"]!.GetValue<string>(), Is.EqualTo(code), text);
        return problem;
    }

    /// <summary>The problem's <c>errors</c> as "field code" pairs, in order.</summary>
    public static IReadOnlyList<string> Errors(JsonObject problem) =>
        [.. problem["errors"]?.AsArray().Select(e => $"{e!["field"]!.GetValue<string>()} {e["code"]!.GetValue<string>()}") ?? []];

    /// <summary>A problem's stable code and the fields its <c>errors</c> name, in order, whatever its status.</summary>
    public static async Task<(string Code, string[] Fields)> ReadAsync(HttpResponseMessage response)
    {
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        var fields = problem["errors"]?.AsArray().Select(e => e!["field"]!.GetValue<string>()).ToArray() ?? [];
        return (problem["code"]!.GetValue<string>(), fields);
    }
}
