using System.Net;
using System.Text.Json.Nodes;

namespace HealthCode.Api.Tests.Support;

internal static class Problems
{
    /// <summary>Asserts an RFC 9457 problem with the status and stable <c>code</c>; returns its body.</summary>
    public static async Task<JsonObject> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), text);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.That(problem["code"]!.GetValue<string>(), Is.EqualTo(code), text);
        return problem;
    }
}
