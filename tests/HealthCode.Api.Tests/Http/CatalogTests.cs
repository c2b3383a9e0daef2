using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HealthCode.Api.Tests.Support;
using HealthCode.Trust.Keys;

namespace HealthCode.Api.Tests.Http;

/// <summary>
/// DESIGN §9 over HTTP: operators register departments with their public keys and publish catalogue entries, every
/// invalid field named; anyone reads the catalogue, with how fresh each entry is.
/// </summary>
[TestFixture]
internal sealed class CatalogTests
{
    private HealthCodeFactory factory = null!;
    private HttpClient http = null!;

    [OneTimeSetUp]
    public void StartService()
    {
        factory = new HealthCodeFactory();
        http = factory.CreateClient();
    }

    [OneTimeTearDown]
    public void StopService()
    {
        http.Dispose();
        factory.Dispose();
    }

    [Test]
    public async Task RegisterDepartment_StoresItsPublicKeyAndKid_AndListsIt()
    {
        using var key = EcKey.Generate();
        var code = CatalogSamples.NewDepartmentCode();

        var response = await Operator(HttpMethod.Post, "/api/v1/admin/departments", new { code, name = "河南省公安厅", key = JsonNode.Parse(key.ToPublicJwk()) });
        var listed = await ReadAsync<JsonArray>(await Operator(HttpMethod.Get, "/api/v1/admin/departments"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var department = listed.Single(d => d!["code"]!.GetValue<string>() == code)!;
        Assert.Multiple(() =>
        {
            Assert.That(department["name"]!.GetValue<string>(), Is.EqualTo("河南省公安厅"));
            Assert.That(department["kid"]!.GetValue<string>(), Is.EqualTo(key.Kid));
            Assert.That(department["key"]!["x"]!.GetValue<string>(), Is.EqualTo(JsonNode.Parse(key.ToPublicJwk())!["x"]!.GetValue<string>()));
            Assert.That(department["key"]!["d"], Is.Null, "only the public key is kept");
        });
    }

    [Test]
    public async Task RegisterDepartment_Again_ReplacesTheKey_AsARotation()
    {
        var code = await CatalogSamples.RegisterDepartmentAsync(http);
        using var rotated = EcKey.Generate();

        var response = await Operator(HttpMethod.Post, "/api/v1/admin/departments", new { code, name = "河南省疾控中心", key = JsonNode.Parse(rotated.ToPublicJwk()) });
        var listed = await ReadAsync<JsonArray>(await Operator(HttpMethod.Get, "/api/v1/admin/departments"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var department = listed.Where(d => d!["code"]!.GetValue<string>() == code).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(department, Has.Count.EqualTo(1));
            Assert.That(department[0]!["kid"]!.GetValue<string>(), Is.EqualTo(rotated.Kid));
            Assert.That(department[0]!["name"]!.GetValue<string>(), Is.EqualTo("河南省疾控中心"));
        });
    }

    [Test]
    public async Task RegisterDepartment_WithAPrivateKey_IsRefused_AndNothingIsKept()
    {
        using var key = EcKey.Generate();
        var code = CatalogSamples.NewDepartmentCode();

        var response = await Operator(HttpMethod.Post, "/api/v1/admin/departments", new { code, name = "河南省交通运输厅", key = JsonNode.Parse(key.ToPrivateJwk()) });

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(Problems.Errors(problem), Is.EqualTo(new[] { "key key_is_private" }));
        var listed = await ReadAsync<JsonArray>(await Operator(HttpMethod.Get, "/api/v1/admin/departments"));
        Assert.That(listed.Select(d => d!["code"]!.GetValue<string>()), Does.Not.Contain(code));
    }

    [Test]
    public async Task RegisterDepartment_NamesEachInvalidField()
    {
        var response = await Operator(HttpMethod.Post, "/api/v1/admin/departments", new
        {
            code = "cdc",
            name = " ",
            key = new { kty = "RSA", n = "0vx7", e = "AQAB" },
        });

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(Problems.Errors(problem), Is.EqualTo(new[] { "code department_code_invalid", "name required", "key key_invalid" }));
    }

    [TestCase("-CDC")]
    [TestCase("CDC-")]
    [TestCase("CDC 1")]
    [TestCase("ABCDEFGHIJKLMNOPQ")]
    public async Task RegisterDepartment_RefusesACodeOutsideTheAlphabet(string code)
    {
        var response = await Operator(HttpMethod.Post, "/api/v1/admin/departments", new { code, name = "某部门", key = CatalogSamples.NewPublicJwk() });

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(Problems.Errors(problem), Is.EqualTo(new[] { "code department_code_invalid" }));
    }

    [Test]
    public async Task RegisterDepartment_WithAnotherDepartmentsKey_IsAConflict()
    {
        var key = CatalogSamples.NewPublicJwk();
        var first = CatalogSamples.NewDepartmentCode();
        Assert.That((await Operator(HttpMethod.Post, "/api/v1/admin/departments", new { code = first, name = "甲部门", key })).StatusCode, Is.EqualTo(HttpStatusCode.Created));

        var response = await Operator(HttpMethod.Post, "/api/v1/admin/departments", new { code = CatalogSamples.NewDepartmentCode(), name = "乙部门", key });

        var problem = await Problems.AssertAsync(response, HttpStatusCode.Conflict, "key_in_use");
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain(first));
    }

    [Test]
    public async Task AdminEndpoints_WithoutTheOperatorKey_AreUnauthorized()
    {
        var department = await http.PostAsJsonAsync("/api/v1/admin/departments", new { code = "CDC", name = "x", key = CatalogSamples.NewPublicJwk() });
        var entry = await http.PostAsJsonAsync("/api/v1/admin/catalog", CatalogSamples.Entry("CDC"));
        var update = await http.PutAsJsonAsync("/api/v1/admin/catalog/410000-CDC-001", CatalogSamples.Entry("CDC"));
        var list = await http.GetAsync("/api/v1/admin/departments");

        Assert.That(new[] { department.StatusCode, entry.StatusCode, update.StatusCode, list.StatusCode }, Is.All.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task AddEntry_PublishesEveryField_AndTheServiceKeepsTheBatchRecord()
    {
        var provider = await CatalogSamples.RegisterDepartmentAsync(http, name: "河南省卫生健康委员会");
        var sent = CatalogSamples.Entry(provider);
        sent["publishedAt"] = "2026-11-01T08:00:00+08:00";

        var added = await CatalogSamples.AddAsync(http, sent);

        Assert.Multiple(() =>
        {
            foreach (var field in new[] { "code", "name", "provider", "summary", "kind", "updateCycle", "legalBasis", "purpose" })
            {
                Assert.That(added[field]!.GetValue<string>(), Is.EqualTo(sent[field]!.GetValue<string>()), field);
            }

            Assert.That(JsonNode.DeepEquals(added["items"], sent["items"]), Is.True, added["items"]!.ToJsonString());
            Assert.That(JsonNode.DeepEquals(added["sharing"], sent["sharing"]), Is.True, added["sharing"]!.ToJsonString());
            Assert.That(added["retentionDays"]!.GetValue<int>(), Is.EqualTo(28));
            Assert.That(added["publishedAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero)));
            Assert.That(added["providerName"]!.GetValue<string>(), Is.EqualTo("河南省卫生健康委员会"));
            Assert.That(added["lastBatchAt"], Is.Null);
            Assert.That(added["rows"]!.GetValue<long>(), Is.Zero);
        });
    }

    [Test]
    public async Task AddEntry_WithoutPublishedAtOrMethod_IsPublishedNow_ByBatch()
    {
        var provider = await CatalogSamples.RegisterDepartmentAsync(http);
        var sent = CatalogSamples.Entry(provider);
        sent["sharing"]!.AsObject().Remove("method");

        var added = await CatalogSamples.AddAsync(http, sent);

        Assert.Multiple(() =>
        {
            Assert.That(added["publishedAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(factory.Time.GetUtcNow()));
            Assert.That(added["sharing"]!["method"]!.GetValue<string>(), Is.EqualTo("batch"));
        });
    }

    [Test]
    public async Task AddEntry_NamesEachInvalidField()
    {
        var response = await Operator(HttpMethod.Post, "/api/v1/admin/catalog", new
        {
            code = "CDC-002",
            name = "",
            provider = "cdc",
            summary = new string('长', 1001),
            kind = "vaccinations",
            items = new object?[] { new { name = "idNumber", type = "string" }, new { name = "idNumber", type = "" }, null },
            sharing = new { type = "conditional", conditions = " ", method = "ftp" },
            updateCycle = "P1M",
            legalBasis = " ",
            purpose = (string?)null,
            retentionDays = 0,
            publishedAt = "1999-12-31T00:00:00+08:00",
        });

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(Problems.Errors(problem), Is.EqualTo(new[]
        {
            "code catalog_code_invalid",
            "name required",
            "provider department_code_invalid",
            "summary too_long",
            "kind kind_unknown",
            "items[1].name item_duplicate",
            "items[1].type required",
            "items[2] required",
            "sharing.conditions conditions_required",
            "sharing.method sharing_method_unsupported",
            "updateCycle update_cycle_ambiguous",
            "legalBasis required",
            "purpose required",
            "retentionDays retention_out_of_range",
            "publishedAt published_at_out_of_range",
        }));
    }

    [Test]
    public async Task AddEntry_WithNothing_NamesEveryRequiredField()
    {
        var response = await Operator(HttpMethod.Post, "/api/v1/admin/catalog", new { });

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(Problems.Errors(problem), Is.EqualTo(new[]
        {
            "code required", "name required", "provider required", "summary required", "kind required", "items required",
            "sharing required", "updateCycle required", "legalBasis required", "purpose required", "retentionDays required",
        }));
    }

    [TestCase("code", "330000-CDC-001", "code catalog_code_province")]
    [TestCase("code", "410000-GA-001", "code catalog_code_provider")]
    [TestCase("code", "410000-CDC-01", "code catalog_code_invalid")]
    [TestCase("updateCycle", "daily", "updateCycle update_cycle_invalid")]
    [TestCase("updateCycle", "PT0S", "updateCycle update_cycle_out_of_range")]
    [TestCase("updateCycle", "-P1D", "updateCycle update_cycle_out_of_range")]
    [TestCase("retentionDays", 3651, "retentionDays retention_out_of_range")]
    [TestCase("retentionDays", "28", "retentionDays wrong_type")]
    [TestCase("publishedAt", "yesterday", "publishedAt wrong_type")]
    [TestCase("sharing.type", "open", "sharing.type sharing_type_unknown")]
    [TestCase("items", null, "items required")]
    public async Task AddEntry_RefusesOneBadField_ByName(string field, object? value, string expected)
    {
        var entry = CatalogSamples.Entry("CDC");
        var (parent, name) = field.Split('.') is [var outer, var inner] ? (entry[outer]!.AsObject(), inner) : (entry, field);
        parent[name] = JsonValue.Create(value);

        var response = await Operator(HttpMethod.Post, "/api/v1/admin/catalog", entry);

        var (_, fields) = await Problems.ReadAsync(response);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(Problems.Errors(JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject()), Is.EqualTo(new[] { expected }), string.Join(", ", fields));
    }

    [Test]
    public async Task AddEntry_WithTheFieldsTheServiceKeeps_IsRefused()
    {
        var entry = CatalogSamples.Entry("CDC");
        entry["lastBatchAt"] = "2026-11-27T00:00:00Z";
        entry["rows"] = 100;

        var problem = await Problems.AssertAsync(await Operator(HttpMethod.Post, "/api/v1/admin/catalog", entry), HttpStatusCode.BadRequest, "unknown_field");

        Assert.That(Problems.Errors(problem), Is.EqualTo(new[] { "lastBatchAt unknown_field", "rows unknown_field" }));
    }

    [Test]
    public async Task AddEntry_OfAnUnregisteredProvider_NamesTheProvider()
    {
        var provider = CatalogSamples.NewDepartmentCode();

        var response = await Operator(HttpMethod.Post, "/api/v1/admin/catalog", CatalogSamples.Entry(provider));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(Problems.Errors(problem), Is.EqualTo(new[] { "provider provider_unknown" }));
    }

    [Test]
    public async Task AddEntry_WithACodeInUse_IsAConflict()
    {
        var provider = await CatalogSamples.RegisterDepartmentAsync(http);
        await CatalogSamples.AddAsync(http, CatalogSamples.Entry(provider));

        var again = CatalogSamples.Entry(provider);
        again["name"] = "另一个数据集";
        var response = await Operator(HttpMethod.Post, "/api/v1/admin/catalog", again);

        await Problems.AssertAsync(response, HttpStatusCode.Conflict, "catalog_code_taken");
        var kept = await ReadAsync<JsonObject>(await http.GetAsync($"/api/v1/catalog/410000-{provider}-001"));
        Assert.That(kept["name"]!.GetValue<string>(), Is.EqualTo("确诊及疑似病例名单"), "the first entry is unchanged");
    }

    [Test]
    public async Task UpdateEntry_ChangesThePublishedFields_AndKeepsTheBatchRecordAndPublicationDate()
    {
        var provider = await CatalogSamples.RegisterDepartmentAsync(http);
        var added = await CatalogSamples.AddAsync(http, CatalogSamples.Entry(provider));
        var code = added["code"]!.GetValue<string>();
        RecordBatch(factory, code, factory.Time.GetUtcNow(), 1234);
        var changed = CatalogSamples.Entry(provider);
        changed["updateCycle"] = "PT6H";
        changed["sharing"] = new JsonObject { ["type"] = "unconditional" };
        changed["retentionDays"] = 14;

        var response = await Operator(HttpMethod.Put, $"/api/v1/admin/catalog/{code}", changed);

        var updated = await ReadAsync<JsonObject>(response);
        Assert.Multiple(() =>
        {
            Assert.That(updated["updateCycle"]!.GetValue<string>(), Is.EqualTo("PT6H"));
            Assert.That(updated["sharing"]!["type"]!.GetValue<string>(), Is.EqualTo("unconditional"));
            Assert.That(updated["sharing"]!["conditions"], Is.Null);
            Assert.That(updated["retentionDays"]!.GetValue<int>(), Is.EqualTo(14));
            Assert.That(updated["rows"]!.GetValue<long>(), Is.EqualTo(1234));
            Assert.That(updated["lastBatchAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(factory.Time.GetUtcNow()));
            Assert.That(updated["publishedAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(added["publishedAt"]!.GetValue<DateTimeOffset>()));
        });
    }

    [Test]
    public async Task UpdateEntry_OfAnUnknownCode_IsNotFound()
    {
        var provider = await CatalogSamples.RegisterDepartmentAsync(http);

        var response = await Operator(HttpMethod.Put, $"/api/v1/admin/catalog/410000-{provider}-001", CatalogSamples.Entry(provider));

        await Problems.AssertAsync(response, HttpStatusCode.NotFound, "catalog_entry_not_found");
    }

    [Test]
    public async Task UpdateEntry_WithAnotherCodeInTheBody_IsRefused()
    {
        var provider = await CatalogSamples.RegisterDepartmentAsync(http);
        await CatalogSamples.AddAsync(http, CatalogSamples.Entry(provider));

        var response = await Operator(HttpMethod.Put, $"/api/v1/admin/catalog/410000-{provider}-001", CatalogSamples.Entry(provider, "002"));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(Problems.Errors(problem), Is.EqualTo(new[] { "code catalog_code_mismatch" }));
    }

    [Test]
    public async Task UpdateEntry_NamesEachInvalidField()
    {
        var provider = await CatalogSamples.RegisterDepartmentAsync(http);
        await CatalogSamples.AddAsync(http, CatalogSamples.Entry(provider));
        var changed = CatalogSamples.Entry(provider);
        changed["kind"] = "weather";
        changed["items"] = new JsonArray();
        changed["retentionDays"] = -1;

        var response = await Operator(HttpMethod.Put, $"/api/v1/admin/catalog/410000-{provider}-001", changed);

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(Problems.Errors(problem), Is.EqualTo(new[] { "kind kind_unknown", "items required", "retentionDays retention_out_of_range" }));
    }

    [Test]
    public async Task Catalog_IsPublic_WithEveryEntryAndItsProvidersName()
    {
        var provider = await CatalogSamples.RegisterDepartmentAsync(http, name: "河南省大数据管理局");
        await CatalogSamples.AddAsync(http, CatalogSamples.Entry(provider));

        var response = await http.GetAsync("/api/v1/catalog");

        var catalog = await ReadAsync<JsonObject>(response);
        var entry = catalog["entries"]!.AsArray().Single(e => e!["provider"]!.GetValue<string>() == provider)!;
        Assert.Multiple(() =>
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(response.Headers.CacheControl?.Public, Is.True);
            Assert.That(response.Headers.CacheControl?.MaxAge, Is.EqualTo(TimeSpan.FromSeconds(60)));
            Assert.That(catalog["asOf"]!.GetValue<DateTimeOffset>(), Is.EqualTo(factory.Time.GetUtcNow()));
            Assert.That(entry["providerName"]!.GetValue<string>(), Is.EqualTo("河南省大数据管理局"));
            Assert.That(entry.AsObject().Select(p => p.Key), Is.EquivalentTo(new[]
            {
                "code", "name", "provider", "providerName", "summary", "kind", "items", "sharing", "updateCycle", "legalBasis",
                "purpose", "retentionDays", "publishedAt", "lastBatchAt", "rows", "late", "lateSince",
            }));
        });
    }

    [Test]
    public async Task Entry_IsLateUntilItsFirstBatch_ThenLateOnceOlderThanItsCycle_InTheCatalogReadyzAndMetrics()
    {
        using var service = new HealthCodeFactory();
        var client = service.CreateClient();
        var provider = await CatalogSamples.RegisterDepartmentAsync(client);
        var code = (await CatalogSamples.AddAsync(client, CatalogSamples.Entry(provider)))["code"]!.GetValue<string>();
        var publishedAt = service.Time.GetUtcNow();

        var beforeBatch = await EntryAsync(client, code);
        var readyBeforeBatch = JsonNode.Parse(await client.GetStringAsync("/readyz"))!;

        var batchAt = service.Time.GetUtcNow();
        RecordBatch(service, code, batchAt, 5000);
        service.Time.Advance(TimeSpan.FromHours(23));
        var fresh = await EntryAsync(client, code);
        var readyFresh = JsonNode.Parse(await client.GetStringAsync("/readyz"))!;
        var metricsFresh = await client.GetStringAsync("/metrics");

        service.Time.Advance(TimeSpan.FromHours(2));
        var late = await EntryAsync(client, code);
        var readyLate = await client.GetAsync("/readyz");
        var readyLateBody = JsonNode.Parse(await readyLate.Content.ReadAsStringAsync())!;
        var metricsLate = await client.GetStringAsync("/metrics");

        var label = $"{{code=\"{code}\"}}";
        Assert.Multiple(() =>
        {
            Assert.That(beforeBatch["late"]!.GetValue<bool>(), Is.True, "no batch yet");
            Assert.That(beforeBatch["lateSince"]!.GetValue<DateTimeOffset>(), Is.EqualTo(publishedAt));
            Assert.That(readyBeforeBatch["checks"]!["catalog"]!.GetValue<string>(), Is.EqualTo("degraded"));
            Assert.That(readyBeforeBatch["details"]!["catalog"]!["description"]!.GetValue<string>(), Does.Contain($"{code} ({provider}, no batch yet)"));

            Assert.That(fresh["late"]!.GetValue<bool>(), Is.False, "23 hours into a 1-day cycle");
            Assert.That(fresh["lateSince"], Is.Null);
            Assert.That(fresh["rows"]!.GetValue<long>(), Is.EqualTo(5000));
            Assert.That(readyFresh["checks"]!["catalog"]!.GetValue<string>(), Is.EqualTo("healthy"));
            Assert.That(metricsFresh, Does.Contain($"healthcode_catalog_entry_late{label} 0\n"));
            Assert.That(metricsFresh, Does.Contain($"healthcode_catalog_entry_age_seconds{label} 82800\n"));
            Assert.That(metricsFresh, Does.Contain($"healthcode_catalog_entry_update_cycle_seconds{label} 86400\n"));
            Assert.That(metricsFresh, Does.Contain($"healthcode_catalog_entry_rows{label} 5000\n"));

            Assert.That(late["late"]!.GetValue<bool>(), Is.True, "25 hours into a 1-day cycle");
            Assert.That(late["lateSince"]!.GetValue<DateTimeOffset>(), Is.EqualTo(batchAt.AddDays(1)));
            Assert.That(readyLate.StatusCode, Is.EqualTo(HttpStatusCode.OK), "degraded, not unhealthy: a load balancer keeps sending scans");
            Assert.That(readyLateBody["status"]!.GetValue<string>(), Is.Not.EqualTo("unhealthy"));
            Assert.That(readyLateBody["checks"]!["catalog"]!.GetValue<string>(), Is.EqualTo("degraded"));
            Assert.That(readyLateBody["details"]!["catalog"]!["data"]!["late"]![0]!["code"]!.GetValue<string>(), Is.EqualTo(code));
            Assert.That(metricsLate, Does.Contain($"healthcode_catalog_entry_late{label} 1\n"));
            Assert.That(metricsLate, Does.Contain($"healthcode_catalog_entry_age_seconds{label} 90000\n"));
        });
    }

    [Test]
    public async Task Entry_SharedWithNobody_IsNeverLate()
    {
        var provider = await CatalogSamples.RegisterDepartmentAsync(http);
        var entry = CatalogSamples.Entry(provider);
        entry["sharing"] = new JsonObject { ["type"] = "none", ["conditions"] = "涉及个人隐私，不予共享。" };
        await CatalogSamples.AddAsync(http, entry);

        var published = await EntryAsync(http, $"410000-{provider}-001");

        Assert.That(published["late"]!.GetValue<bool>(), Is.False);
    }

    [Test]
    public async Task Entry_PublishedAheadOfItsDate_IsNotLateYet()
    {
        var provider = await CatalogSamples.RegisterDepartmentAsync(http);
        var entry = CatalogSamples.Entry(provider);
        entry["publishedAt"] = factory.Time.GetUtcNow().AddDays(3).ToString("O");
        await CatalogSamples.AddAsync(http, entry);

        var published = await EntryAsync(http, $"410000-{provider}-001");

        Assert.That(published["late"]!.GetValue<bool>(), Is.False);
    }

    [Test]
    public async Task CatalogEntry_OfAnUnknownCode_IsNotFound_AndNotCached()
    {
        var response = await http.GetAsync("/api/v1/catalog/410000-NONE-999");

        await Problems.AssertAsync(response, HttpStatusCode.NotFound, "catalog_entry_not_found");
        Assert.That(response.Headers.CacheControl?.Public ?? false, Is.False);
    }

    [Test]
    public async Task OpenApi_DescribesTheCatalogueEndpoints()
    {
        var document = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject();

        Assert.Multiple(() =>
        {
            Assert.That(paths.Select(p => p.Key), Is.SupersetOf(new[]
            {
                "/api/v1/catalog", "/api/v1/catalog/{code}", "/api/v1/admin/departments", "/api/v1/admin/catalog", "/api/v1/admin/catalog/{code}",
            }));
            Assert.That(paths["/api/v1/admin/catalog"]!["post"]!["description"]!.GetValue<string>(), Does.Contain("updateCycle"));
            Assert.That(paths["/api/v1/catalog"]!["get"]!["description"]!.GetValue<string>(), Does.Contain("late"));
        });
    }

    private Task<HttpResponseMessage> Operator(HttpMethod method, string path, object? body = null) => StaffClient.Operator(http, method, path, body);

    private static async Task<JsonObject> EntryAsync(HttpClient client, string code) =>
        await ReadAsync<JsonObject>(await client.GetAsync($"/api/v1/catalog/{code}"));

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response)
        where T : JsonNode
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return (T)JsonNode.Parse(text)!;
    }

    /// <summary>What the batch uploader records once a batch is applied (<see cref="CatalogBatches"/>), on the service's store whichever its engine.</summary>
    private static void RecordBatch(HealthCodeFactory factory, string code, DateTimeOffset at, long rows)
    {
        if (factory.PostgresConnectionString is null)
        {
            CatalogBatches.Record(factory.DatabaseFile, code, at, rows);
            return;
        }

        factory.Execute(FormattableString.Invariant($"UPDATE catalog SET last_batch_at = {at.ToUnixTimeMilliseconds()}, rows = {rows} WHERE code = '{code.Replace("'", "''", StringComparison.Ordinal)}'"));
    }
}
