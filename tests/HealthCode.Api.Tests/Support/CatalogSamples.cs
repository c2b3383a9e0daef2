using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HealthCode.Trust.Keys;

namespace HealthCode.Api.Tests.Support;

/// <summary>Departments and catalogue entries to start from, registered through the operator API; tests change one field at a time.</summary>
internal static class CatalogSamples
{
    /// <summary>A department code no other test uses: <c>T</c> and six digits.</summary>
    public static string NewDepartmentCode() => "T" + RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A new key pair's public JWK, as a department would send it.</summary>
    public static JsonNode NewPublicJwk()
    {
        using var key = EcKey.Generate();
        return JsonNode.Parse(key.ToPublicJwk())!;
    }

    /// <summary>Registers a department with a new key; returns its code.</summary>
    public static async Task<string> RegisterDepartmentAsync(HttpClient http, string? code = null, string name = "河南省疾病预防控制中心")
    {
        code ??= NewDepartmentCode();
        var response = await StaffClient.Operator(http, HttpMethod.Post, "/api/v1/admin/departments", new { code, name, key = NewPublicJwk() });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return code;
    }

    /// <summary>A valid entry of <paramref name="provider"/>: confirmed cases, shared on conditions, every day.</summary>
    public static JsonObject Entry(string provider, string serial = "001") => new()
    {
        ["code"] = $"410000-{provider}-{serial}",
        ["name"] = "确诊及疑似病例名单",
        ["provider"] = provider,
        ["summary"] = "本省确诊、疑似及解除的病例，用于健康码赋码。",
        ["kind"] = "cases",
        ["items"] = new JsonArray(
            new JsonObject { ["name"] = "idNumber", ["type"] = "string" },
            new JsonObject { ["name"] = "name", ["type"] = "string" },
            new JsonObject { ["name"] = "status", ["type"] = "string" },
            new JsonObject { ["name"] = "at", ["type"] = "datetime" }),
        ["sharing"] = new JsonObject { ["type"] = "conditional", ["conditions"] = "仅用于健康码赋码，不得转用。", ["method"] = "batch" },
        ["updateCycle"] = "P1D",
        ["legalBasis"] = "《中华人民共和国传染病防治法》第三十八条",
        ["purpose"] = "健康码赋码（红码）",
        ["retentionDays"] = 28,
    };

    /// <summary>Adds <paramref name="entry"/>, which must be accepted; returns the published entry.</summary>
    public static async Task<JsonObject> AddAsync(HttpClient http, JsonObject entry)
    {
        var response = await StaffClient.Operator(http, HttpMethod.Post, "/api/v1/admin/catalog", entry);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }
}
