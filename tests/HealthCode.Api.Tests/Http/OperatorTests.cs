using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Api.Tests.Support;
using HealthCode.Trust.Keys;

namespace HealthCode.Api.Tests.Http;

/// <summary>
/// Named operators (DESIGN §10): the configured key bootstraps accounts with roles, each role opens its own endpoints,
/// a revoked or expired token is refused at once, and every operator action is in the audit chain under its name.
/// </summary>
[TestFixture]
internal sealed class OperatorTests
{
    private HealthCodeFactory factory = null!;

    [OneTimeSetUp]
    public void StartService() => factory = new HealthCodeFactory();

    [OneTimeTearDown]
    public void StopService() => factory.Dispose();

    [Test]
    public async Task TheBootstrapKey_CreatesAnAdminAndAHealthOperator_EachWithATokenOfItsOwn()
    {
        var client = factory.CreateClient();

        var admin = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/operators", new { name = "李管理", roles = new[] { "admin" } });
        var health = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/operators", new { name = "周卫健", roles = new[] { "health", "office:4101" } });

        var adminBody = await ResidentClient.JsonAsync(admin);
        var healthBody = await ResidentClient.JsonAsync(health);
        Assert.Multiple(() =>
        {
            Assert.That(admin.StatusCode, Is.EqualTo(HttpStatusCode.Created), adminBody.ToJsonString());
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.Created), healthBody.ToJsonString());
            Assert.That(adminBody.Select(p => p.Key), Is.EquivalentTo(new[] { "operatorId", "name", "roles", "token", "expiresAt" }));
            Assert.That(adminBody["operatorId"]!.GetValue<string>(), Does.StartWith("op_"));
            Assert.That(admin.Headers.Location!.ToString(), Is.EqualTo($"/api/v1/admin/operators/{adminBody["operatorId"]}"));
            Assert.That(adminBody["name"]!.GetValue<string>(), Is.EqualTo("李管理"));
            Assert.That(healthBody["roles"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EqualTo(new[] { "health", "office:4101" }));
            // HealthCode:Operators:TokenLifetime, 30 days by default.
            Assert.That(adminBody["expiresAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(factory.Time.GetUtcNow().AddDays(30)));
            Assert.That(adminBody["token"]!.GetValue<string>(), Is.Not.EqualTo(healthBody["token"]!.GetValue<string>()).And.Not.EqualTo(HealthCodeFactory.OperatorKey));
        });
    }

    [Test]
    public async Task AnAdminOperatorsToken_EnrolsStaff_RegistersPartners_AndCreatesOperators()
    {
        var client = factory.CreateClient();
        var admin = await CreateAsync(client, "李管理", "admin");
        using var keys = ProvinceKeys.Load(RepoPaths.SampleKeys("330000"));

        var staff = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/staff", new { name = "王检查", checkpointId = "gate-1" }, admin.Token);
        var partner = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/partners", new
        {
            iss = "330000",
            name = "浙江省",
            trustListUrl = "http://127.0.0.1:9/.well-known/healthcode/trust-list",
            rootKey = JsonNode.Parse(keys.Root.ToPublicJwk()),
        }, admin.Token);
        var another = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/operators", new { name = "赵审计", roles = new[] { "auditor" } }, admin.Token);
        await StaffClient.Operator(client, HttpMethod.Delete, "/api/v1/admin/partners/330000", null, admin.Token);

        Assert.Multiple(async () =>
        {
            Assert.That(staff.StatusCode, Is.EqualTo(HttpStatusCode.Created), await staff.Content.ReadAsStringAsync());
            Assert.That(partner.StatusCode, Is.EqualTo(HttpStatusCode.Created), await partner.Content.ReadAsStringAsync());
            Assert.That(another.StatusCode, Is.EqualTo(HttpStatusCode.Created), await another.Content.ReadAsStringAsync());
        });
    }

    // Every role but admin, on what only admin may do: the existing operator endpoints and the accounts themselves.
    [TestCase("health")]
    [TestCase("auditor")]
    [TestCase("department:CDC")]
    [TestCase("office:410105")]
    public async Task AnOperatorWithoutTheAdminRole_Gets403RoleRequired_OnAdminEndpoints(string role)
    {
        var client = factory.CreateClient();
        var other = await CreateAsync(client, "周卫健", role);

        (HttpMethod Method, string Path, object? Body)[] calls =
        [
            (HttpMethod.Post, "/api/v1/admin/staff", new { name = "王检查", checkpointId = "gate-1" }),
            (HttpMethod.Delete, "/api/v1/admin/staff/st_nobody", null),
            (HttpMethod.Post, "/api/v1/admin/partners", new { iss = "330000" }),
            (HttpMethod.Get, "/api/v1/admin/partners", null),
            // Not the rotation: were the rule gone, it would write a key into keys-sample/.
            (HttpMethod.Post, "/api/v1/admin/keys/nokid/revoke", new { reason = "test" }),
            (HttpMethod.Post, "/api/v1/admin/persons/transfer", new { idNumber = Declarations.ValidId }),
            (HttpMethod.Post, "/api/v1/admin/audit/purge", null),
            (HttpMethod.Post, "/api/v1/admin/retention/purge", null),
            (HttpMethod.Post, "/api/v1/admin/operators", new { name = "x", roles = new[] { "admin" } }),
            (HttpMethod.Get, "/api/v1/admin/operators", null),
            (HttpMethod.Delete, $"/api/v1/admin/operators/{other.OperatorId}", null),
        ];
        foreach (var (method, path, body) in calls)
        {
            var response = await StaffClient.Operator(client, method, path, body, other.Token);
            var problem = await Problems.AssertAsync(response, HttpStatusCode.Forbidden, "role_required");
            Assert.That(problem["roles"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EqualTo(new[] { "admin" }), $"{method} {path}");
        }

        // Its own revocation was refused too.
        Assert.That((await ListedAsync(client, other.OperatorId))["state"]!.GetValue<string>(), Is.EqualTo("active"));
    }

    [Test]
    public async Task AnAuditor_ReadsAndChecksTheAudit_ButCannotEnrolStaffOrPurge()
    {
        var client = factory.CreateClient();
        var auditor = await CreateAsync(client, "赵审计", "auditor");

        var read = await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit", null, auditor.Token);
        var check = await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit/verify", null, auditor.Token);
        var enrol = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/staff", new { name = "王检查", checkpointId = "gate-1" }, auditor.Token);
        var purge = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/audit/purge", null, auditor.Token);

        Assert.Multiple(async () =>
        {
            Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.OK), await read.Content.ReadAsStringAsync());
            Assert.That(check.StatusCode, Is.EqualTo(HttpStatusCode.OK), await check.Content.ReadAsStringAsync());
        });
        await Problems.AssertAsync(enrol, HttpStatusCode.Forbidden, "role_required");
        await Problems.AssertAsync(purge, HttpStatusCode.Forbidden, "role_required");
    }

    [TestCase("health")]
    [TestCase("department:CDC")]
    public async Task AnOperatorWithoutAuditorOrAdmin_CannotReadTheAudit(string role)
    {
        var client = factory.CreateClient();
        var other = await CreateAsync(client, "钱部门", role);

        var read = await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit", null, other.Token);

        var problem = await Problems.AssertAsync(read, HttpStatusCode.Forbidden, "role_required");
        Assert.That(problem["roles"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EquivalentTo(new[] { "auditor", "admin" }));
    }

    [Test]
    public async Task Delete_RevokesAToken_AtOnce_EvenRightAfterItWasUsed()
    {
        var client = factory.CreateClient();
        var admin = await CreateAsync(client, "李管理", "admin");
        var used = await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/operators", null, admin.Token);

        var revoked = await StaffClient.Operator(client, HttpMethod.Delete, $"/api/v1/admin/operators/{admin.OperatorId}");
        var after = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/staff", new { name = "王检查", checkpointId = "gate-1" }, admin.Token);
        var again = await StaffClient.Operator(client, HttpMethod.Delete, $"/api/v1/admin/operators/{admin.OperatorId}");
        var unknown = await StaffClient.Operator(client, HttpMethod.Delete, "/api/v1/admin/operators/op_nobody");
        var listed = await ListedAsync(client, admin.OperatorId);

        Assert.Multiple(() =>
        {
            Assert.That(used.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), "revoking twice changes nothing");
            Assert.That(listed["state"]!.GetValue<string>(), Is.EqualTo("revoked"));
            Assert.That(listed["revokedAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(factory.Time.GetUtcNow()));
        });
        await Problems.AssertAsync(after, HttpStatusCode.Unauthorized, "operator_key_revoked");
        await Problems.AssertAsync(unknown, HttpStatusCode.NotFound, "operator_not_found");
    }

    [Test]
    public async Task AnExpiredToken_IsRefused_AndTheLifetimeIsConfigurable()
    {
        using var local = new HealthCodeFactory(settings: new() { ["HealthCode:Operators:TokenLifetime"] = "02:00:00" });
        var client = local.CreateClient();
        var admin = await CreateAsync(client, "李管理", "admin");

        local.Time.Advance(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1));
        var before = await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/operators", null, admin.Token);
        local.Time.Advance(TimeSpan.FromSeconds(1));
        var at = await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/operators", null, admin.Token);
        var listed = await ListedAsync(client, admin.OperatorId);

        Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await Problems.AssertAsync(at, HttpStatusCode.Unauthorized, "operator_key_expired");
        Assert.That(listed["state"]!.GetValue<string>(), Is.EqualTo("expired"));
    }

    [TestCase("00:30:00")]
    [TestCase("91.00:00:00")]
    public void Start_Fails_WhenTheOperatorTokenLifetimeIsOutOfRange(string lifetime)
    {
        var error = HealthCodeFactory.StartFailure(settings: new() { ["HealthCode:Operators:TokenLifetime"] = lifetime });

        Assert.That(error.ToString(), Does.Contain("TokenLifetime"));
    }

    // Each invalid role is named at its index, with a code saying what is wrong with it.
    [TestCase("root", "role_invalid")]
    [TestCase("Admin", "role_invalid")]
    [TestCase("department:", "department_invalid")]
    [TestCase("department:cdc", "department_invalid")]
    [TestCase("department:CDC_1", "department_invalid")]
    [TestCase("department:ABCDEFGHIJKLMNOPQ", "department_invalid")]
    [TestCase("office:", "office_invalid")]
    [TestCase("office:99", "office_invalid")]
    [TestCase("office:4100", "office_invalid")]
    [TestCase("office:419900", "office_invalid")]
    [TestCase("office:41010", "office_invalid")]
    [TestCase("office:abcdef", "office_invalid")]
    [TestCase("auditor", "role_duplicate")]
    public async Task CreateOperator_NamesEachInvalidRole(string role, string code)
    {
        var response = await StaffClient.Operator(factory.CreateClient(), HttpMethod.Post, "/api/v1/admin/operators",
            new { name = "李管理", roles = new[] { "auditor", role } });

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(Problems.Errors(problem), Is.EqualTo(new[] { $"roles[1] {code}" }));
    }

    [TestCase("department:CDC")]
    [TestCase("department:GA")]
    [TestCase("department:LAB-01")]
    [TestCase("office:41")]
    [TestCase("office:4101")]
    [TestCase("office:410105")]
    [TestCase("office:110000")]
    public async Task CreateOperator_TakesDepartmentsAndOffices(string role)
    {
        var response = await StaffClient.Operator(factory.CreateClient(), HttpMethod.Post, "/api/v1/admin/operators",
            new { name = "钱部门", roles = new[] { role } });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task CreateOperator_NamesEveryInvalidField()
    {
        var client = factory.CreateClient();

        var everything = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/operators",
            new { name = "", roles = new[] { "admin", "root", "department:cdc", "office:999999", "admin" } });
        var noRoles = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/operators", new { name = "李管理", roles = Array.Empty<string>() });
        var missing = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/operators", new { name = "bootstrap" });

        Assert.Multiple(async () =>
        {
            Assert.That(Problems.Errors(await Problems.AssertAsync(everything, HttpStatusCode.BadRequest, "validation_failed")), Is.EqualTo(new[]
            {
                "name required", "roles[1] role_invalid", "roles[2] department_invalid", "roles[3] office_invalid", "roles[4] role_duplicate",
            }));
            Assert.That(Problems.Errors(await Problems.AssertAsync(noRoles, HttpStatusCode.BadRequest, "validation_failed")), Is.EqualTo(new[] { "roles roles_required" }));
            Assert.That(Problems.Errors(await Problems.AssertAsync(missing, HttpStatusCode.BadRequest, "validation_failed")),
                Is.EqualTo(new[] { "name name_reserved", "roles roles_required" }));
        });
    }

    [Test]
    public async Task TheAudit_NamesTheOperatorOfEachAction_AndTheChainVerifies()
    {
        using var local = new HealthCodeFactory();
        var client = local.CreateClient();
        var admin = await CreateAsync(client, "李管理", "admin");
        var auditor = await CreateAsync(client, "赵审计", "auditor", admin.Token);
        var staff = await StaffClient.EnrolAsync(client, "gate-1", admin.Token);
        var verdict = await staff.VerifyAsync("not-a-code");
        await StaffClient.Operator(client, HttpMethod.Delete, $"/api/v1/admin/staff/{staff.StaffId}", null, admin.Token);
        using var keys = ProvinceKeys.Load(RepoPaths.SampleKeys("330000"));
        await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/partners", new
        {
            iss = "330000",
            name = "浙江省",
            trustListUrl = "http://127.0.0.1:9/.well-known/healthcode/trust-list",
            rootKey = JsonNode.Parse(keys.Root.ToPublicJwk()),
        }, admin.Token);
        await StaffClient.Operator(client, HttpMethod.Delete, "/api/v1/admin/partners/330000", null, admin.Token);
        // Refused requests change nothing and are not entries: a wrong role, a bad body, an unknown target.
        await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/staff", new { name = "王检查", checkpointId = "gate-1" }, auditor.Token);
        await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/staff", new { name = "" }, admin.Token);
        await StaffClient.Operator(client, HttpMethod.Delete, "/api/v1/admin/staff/st_nobody", null, admin.Token);
        await StaffClient.Operator(client, HttpMethod.Delete, $"/api/v1/admin/operators/{admin.OperatorId}");

        var response = await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit", null, auditor.Token);
        var text = await response.Content.ReadAsStringAsync();
        var entries = JsonNode.Parse(text)!["entries"]!.AsArray();
        string Line(JsonNode? e) => string.Join(' ',
            e!["action"]!.GetValue<string>(), e["target"]?.GetValue<string>() ?? "-", e["outcome"]!.GetValue<string>(),
            e["actor"]?["name"]!.GetValue<string>() ?? "-", e["actor"]?["operatorId"]!.GetValue<string>() ?? "-");
        Assert.That(entries.Select(Line), Is.EqualTo(new[]
        {
            $"CreateOperator {admin.OperatorId} 201 bootstrap bootstrap",
            $"CreateOperator {auditor.OperatorId} 201 李管理 {admin.OperatorId}",
            $"CreateStaff {staff.StaffId} 201 李管理 {admin.OperatorId}",
            "verify - unsupported_format - -",
            $"RevokeStaff {staff.StaffId} 204 李管理 {admin.OperatorId}",
            $"RegisterPartner 330000 201 李管理 {admin.OperatorId}",
            $"RemovePartner 330000 204 李管理 {admin.OperatorId}",
            $"RevokeOperator {admin.OperatorId} 204 bootstrap bootstrap",
        }), text);
        Assert.Multiple(() =>
        {
            Assert.That(verdict["scanId"]!.GetValue<string>(), Is.EqualTo(entries[3]!["scanId"]!.GetValue<string>()));
            Assert.That(entries[2]!["checkpointId"]!.GetValue<string>(), Is.EqualTo("operators"));
            Assert.That(text, Does.Not.Contain(admin.Token).And.Not.Contain(auditor.Token).And.Not.Contain(HealthCodeFactory.OperatorKey));
        });
        var report = await ResidentClient.JsonAsync(await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit/verify", null, auditor.Token));
        Assert.That(report["valid"]!.GetValue<bool>(), Is.True, report.ToJsonString());
    }

    // What someone with write access to the database file might do: pin an action on someone else, or hide who did it.
    // Entries: the admin created (1), a staff member enrolled by the key (2), a scan (3), one enrolled by the admin (4), a scan (5).
    [TestCase("UPDATE audit SET actor_name = '赵审计' WHERE action = 'CreateStaff'", 2, TestName = "ChangingTheActorsName_BreaksTheChain")]
    [TestCase("UPDATE audit SET actor_id = 'op_someone' WHERE action = 'CreateStaff'", 2, TestName = "ChangingTheActorsId_BreaksTheChain")]
    [TestCase("UPDATE audit SET actor_id = NULL, actor_name = NULL WHERE action = 'CreateStaff'", 2, TestName = "RemovingTheActor_BreaksTheChain")]
    [TestCase("UPDATE audit SET actor_name = NULL WHERE action = 'CreateStaff'", 2, TestName = "RemovingHalfTheActor_BreaksTheChain")]
    [TestCase("UPDATE audit SET actor_id = 'op_someone', actor_name = 'someone' WHERE action = 'verify'", 3, TestName = "PinningAScanOnAnOperator_BreaksTheChain")]
    [TestCase("UPDATE audit SET target = 'st_other' WHERE action = 'CreateStaff'", 2, TestName = "ChangingTheTarget_BreaksTheChain")]
    public async Task TamperingWithAnOperatorAction_IsDetected(string sql, long changed)
    {
        using var local = new HealthCodeFactory();
        var client = local.CreateClient();
        var admin = await CreateAsync(client, "李管理", "admin");
        var staff = await StaffClient.EnrolAsync(client);
        await staff.VerifyAsync("before");
        await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/staff", new { name = "王检查", checkpointId = "gate-2" }, admin.Token);
        await staff.VerifyAsync("after");
        var before = await ResidentClient.JsonAsync(await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit/verify"));

        local.ExecuteOnAudit(sql);

        var after = await ResidentClient.JsonAsync(await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit/verify"));
        Assert.Multiple(() =>
        {
            Assert.That(before["valid"]!.GetValue<bool>(), Is.True, before.ToJsonString());
            Assert.That(after["valid"]!.GetValue<bool>(), Is.False, after.ToJsonString());
            Assert.That(after["problem"]!.GetValue<string>(), Is.EqualTo($"entry {changed} was changed"));
        });
    }

    [Test]
    public async Task AChainWrittenBeforeNamedOperators_StillVerifies_AfterTheUpgrade_WithOperatorActionsAfterIt()
    {
        // A data folder of schema 6 whose audit holds one scan, hashed as before issue 10 (AuditChainTests has the vector).
        var file = Path.Combine(Path.GetTempPath(), "healthcode-tests", Guid.NewGuid().ToString("N"), "hc.db");
        await new SqliteDatabase($"Data Source={file}").MigrateAsync(6, CancellationToken.None);
        const string Hash = "9151dca75a60175bf9d9de07a1254fa6a7781a03c53e939e3c8daaf4255499f5";
        HealthCodeFactory.Execute(file, $"""
            INSERT INTO audit (seq, at, checkpoint_id, staff_id, action, issuer, code_id, outcome, prev_hash, hash)
            VALUES (1, 1795831200000, 'metro-line1-gate3', 'st_abc', 'verify', '410000', 'c_123', 'valid_green', '{new string('0', 64)}', '{Hash}');
            UPDATE audit_head SET seq = 1, hash = '{Hash}';
            """);

        using var factory = new HealthCodeFactory(file);
        var client = factory.CreateClient();
        await CreateAsync(client, "李管理", "admin");

        var entries = JsonNode.Parse(await (await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit?from=2026-11-27")).Content.ReadAsStringAsync())!["entries"]!.AsArray();
        var report = await ResidentClient.JsonAsync(await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit/verify"));
        Assert.Multiple(() =>
        {
            Assert.That(entries.Select(e => e!["actor"]?["name"]?.GetValue<string>()), Is.EqualTo(new[] { null, "bootstrap" }));
            Assert.That(entries[0]!["hash"]!.GetValue<string>(), Is.EqualTo(Hash));
            Assert.That(report["valid"]!.GetValue<bool>(), Is.True, report.ToJsonString());
            Assert.That(report["checked"]!.GetValue<long>(), Is.EqualTo(2));
            // The chain moved to the audit's own file, whole, and left the store's.
            Assert.That(factory.Query("SELECT name FROM sqlite_master WHERE name LIKE 'audit%'"), Is.Empty);
        });
    }

    [Category("SqliteOnly")]
    [Test]
    public async Task ATokenIsNeverStoredOrListed()
    {
        using var local = new HealthCodeFactory();
        var client = local.CreateClient();
        var admin = await CreateAsync(client, "李管理", "admin");

        var listed = await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/operators", null, admin.Token);
        var text = await listed.Content.ReadAsStringAsync();
        var stored = local.Query("SELECT token_hash FROM operators");

        Assert.Multiple(() =>
        {
            Assert.That(listed.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
            Assert.That(text, Does.Not.Contain(admin.Token));
            Assert.That(JsonNode.Parse(text)!.AsArray().Single()!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[]
            {
                "operatorId", "name", "roles", "state", "createdAt", "createdBy", "expiresAt", "revokedAt",
            }));
            Assert.That(JsonNode.Parse(text)![0]!["createdBy"]!.GetValue<string>(), Is.EqualTo("bootstrap"));
            // Only the SHA-256 of the token, as every other secret.
            Assert.That(stored, Is.EqualTo(new[] { Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(admin.Token))) }));
            Assert.That(DatabaseFilesContain(local, admin.Token), Is.False, "the token is nowhere in the database files");
        });
    }

    [Category("SqliteOnly")]
    [Test]
    public async Task AnOperatorActionTheAuditCannotStore_IsAnswered503AuditUnavailable()
    {
        using var local = new HealthCodeFactory();
        var client = local.CreateClient();
        var admin = await CreateAsync(client, "李管理", "admin");

        local.ExecuteOnAudit("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'the audit store refuses'); END;");
        var refused = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/staff", new { name = "王检查", checkpointId = "gate-1" }, admin.Token);
        local.ExecuteOnAudit("DROP TRIGGER refuse_audit");

        var problem = await Problems.AssertAsync(refused, HttpStatusCode.ServiceUnavailable, "audit_unavailable");
        Assert.That(problem["title"]!.GetValue<string>(), Does.Contain("could not be written to the audit log"));
        Assert.That(problem.ContainsKey("token"), Is.False, "no success is reported without its entry");
    }

    [Test]
    public async Task InHubMode_MembersNeedTheAdminRole_AndTheirChangesAreAudited()
    {
        using var hub = new HealthCodeFactory(settings: new()
        {
            ["HealthCode:Hub:Enabled"] = "true",
            ["HealthCode:Keys:Path"] = RepoPaths.SampleKeys("hub"),
        });
        var client = hub.CreateClient();
        var admin = await CreateAsync(client, "李管理", "admin");
        var health = await CreateAsync(client, "周卫健", "health");
        using var keys = ProvinceKeys.Load(RepoPaths.SampleKeys("330000"));
        var member = new { iss = "330000", name = "浙江省", trustListUrl = "http://127.0.0.1:9/trust-list", rootKey = JsonNode.Parse(keys.Root.ToPublicJwk()) };

        var refused = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/hub/members", member, health.Token);
        var admitted = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/hub/members", member, admin.Token);
        var audit = await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit");
        var entries = JsonNode.Parse(await audit.Content.ReadAsStringAsync())!["entries"]!.AsArray();

        await Problems.AssertAsync(refused, HttpStatusCode.Forbidden, "role_required");
        Assert.Multiple(() =>
        {
            Assert.That(admitted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(entries[^1]!["action"]!.GetValue<string>(), Is.EqualTo("UpsertHubMember"));
            Assert.That(entries[^1]!["actor"]!["name"]!.GetValue<string>(), Is.EqualTo("李管理"));
        });
    }

    [Test]
    public async Task TheOpenApiDocument_DescribesTheBearerSchemesOfOperators_AndTheRolesEachOperationTakes()
    {
        var document = JsonNode.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json"))!;

        var schemes = document["components"]!["securitySchemes"]!;
        var create = document["paths"]!["/api/v1/admin/operators"]!["post"]!;
        var audit = document["paths"]!["/api/v1/admin/audit"]!["get"]!;
        Assert.Multiple(() =>
        {
            foreach (var name in new[] { "operatorToken", "adminKey" })
            {
                Assert.That(schemes[name]!["type"]!.GetValue<string>(), Is.EqualTo("http"), name);
                Assert.That(schemes[name]!["scheme"]!.GetValue<string>(), Is.EqualTo("bearer"), name);
            }

            Assert.That(Requirements(create), Is.EqualTo(new[] { "operatorToken:admin", "adminKey:" }));
            Assert.That(create["description"]!.GetValue<string>(), Does.Contain("Operators: role admin or the bootstrap key"));
            Assert.That(Requirements(audit), Is.EqualTo(new[] { "operatorToken:auditor", "operatorToken:admin", "adminKey:" }));
            Assert.That(audit["description"]!.GetValue<string>(), Does.Contain("role auditor or role admin"));
            Assert.That(Requirements(document["paths"]!["/api/v1/admin/overrides"]!["get"]!), Is.EqualTo(new[] { "operatorToken:health" }),
                "the bootstrap key is no health operator");
            Assert.That(Requirements(document["paths"]!["/api/v1/verify"]!["post"]!), Is.EqualTo(new[] { "staffToken:" }), "a staff endpoint is not an operator's");
        });
    }

    /// <summary>An operation's security alternatives, each as <c>scheme:roles</c>.</summary>
    private static string[] Requirements(JsonNode operation) =>
        [.. operation["security"]!.AsArray().SelectMany(r => r!.AsObject()
            .Select(s => $"{s.Key}:{string.Join(',', s.Value!.AsArray().Select(role => role!.GetValue<string>()))}"))];

    /// <summary>A named operator: its id and bearer token.</summary>
    private sealed record Account(string OperatorId, string Token);

    private static async Task<Account> CreateAsync(HttpClient client, string name, string role, string key = HealthCodeFactory.OperatorKey)
    {
        var response = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/operators", new { name, roles = new[] { role } }, key);
        var body = await ResidentClient.JsonAsync(response);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), body.ToJsonString());
        return new Account(body["operatorId"]!.GetValue<string>(), body["token"]!.GetValue<string>());
    }

    private static async Task<JsonNode> ListedAsync(HttpClient client, string operatorId)
    {
        var listed = await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/operators");
        return (await listed.Content.ReadFromJsonAsync<JsonArray>())!.Single(o => o!["operatorId"]!.GetValue<string>() == operatorId)!;
    }

    /// <summary>Whether <paramref name="secret"/> is anywhere in the database, its WAL or the files beside it.</summary>
    private static bool DatabaseFilesContain(HealthCodeFactory factory, string secret)
    {
        var needle = Encoding.UTF8.GetBytes(secret);
        return Directory.GetFiles(Path.GetDirectoryName(factory.DatabaseFile)!).Any(file =>
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray().AsSpan().IndexOf(needle) >= 0;
        });
    }
}
