using System.Text.Json.Nodes;

namespace HealthCode.Integration.Deploy;

/// <summary>
/// Each deploy check fails when the file it reads is broken: one edit of a committed file (the edit must apply, so a case
/// goes stale loudly when the file changes), then the rule, the schema check or <c>docker-compose config</c> must name it.
/// Without this a rule that reads the wrong field would pass for ever.
/// </summary>
[TestFixture]
public sealed class DeployRulesCanFailTests
{
    private const string Province = "k8s/province.yaml";

    private static IEnumerable<TestCaseData> KubernetesBreaks()
    {
        yield return Break("replicas: 3", "replicas: 1", "SeveralReplicas", "replicas 1", "OneReplica");
        yield return Break("minReplicas: 3", "minReplicas: 1", "SeveralReplicas", "minReplicas 1", "AutoscalerFloorOfOne");
        yield return Break("runAsUser: 1654", "runAsUser: 1000", "RunsAsImageUser", "runAsUser is 1000", "OtherUser");
        yield return Break("fsGroup: 1654", "fsGroup: 0", "RunsAsImageUser", "fsGroup is 0", "RootFsGroup");
        yield return Break("allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true", "ContainersHardened", "allowPrivilegeEscalation is not false", "PrivilegeEscalation");
        // A misspelt field: the schemas allow unknown fields, so only the rule sees that the real one is gone.
        yield return Break("readOnlyRootFilesystem: true", "readOnlyRootFilesytem: true", "ContainersHardened", "readOnlyRootFilesystem is not true", "WritableRoot");
        yield return Break("capabilities: { drop: [ALL] }", "capabilities: { drop: [NET_RAW] }", "ContainersHardened", "do not drop ALL", "CapabilitiesKept");
        yield return Break("seccompProfile: { type: RuntimeDefault }", "seccompProfile: { type: Unconfined }", "ContainersHardened", "seccompProfile is not RuntimeDefault", "Unconfined");
        yield return Break("runAsNonRoot: true", "runAsNonRoot: false", "ContainersHardened", "runAsNonRoot is not true", "MayRunAsRoot");
        yield return Break("limits: { cpu: \"2\", memory: 1Gi,", "limits: { cpu: \"2\",", "ContainersHardened", "no memory in resources.limits", "NoMemoryLimit");
        yield return Break("            - { name: tmp, mountPath: /tmp }\n", "", "ContainersHardened", "/tmp is not an emptyDir", "NoTmp");
        yield return Break("readinessProbe:\n            httpGet: { path: /readyz", "readinessProbe:\n            httpGet: { path: /healthz", "Probes", "readinessProbe does not GET /readyz", "ReadinessOnHealthz");
        yield return Break("{ name: keys, mountPath: /keys, readOnly: true }", "{ name: keys, mountPath: /keys }", "KeysReadOnly", "HealthCode__Keys__Path=/keys is mounted writable", "SigningKeysWritable");
        yield return Break("mountPath: /keys-privacy, readOnly: true", "mountPath: /keys-privacy, readOnly: false", "KeysReadOnly", "HealthCode__Privacy__KeysPath=/keys-privacy is mounted writable", "PrivacyKeysWritable");
        yield return Break("secret: { secretName: healthcode-410000-privacy, defaultMode: 0440 }", "emptyDir: {}", "KeysReadOnly", "HealthCode__Privacy__KeysPath=/keys-privacy is not a mounted Secret", "PrivacyKeysNotASecret");
        yield return Break("valueFrom: { secretKeyRef: { name: healthcode-410000-db, key: connectionString } }", "value: Host=pg;Database=healthcode", "ConnectionStringsFromSecrets", "ConnectionStrings__HealthCode does not come from a Secret", "StoreInClear");
        yield return Break("maxUnavailable: 1\n  selector:\n    matchLabels: { app: healthcode, province: \"410000\" }", "maxUnavailable: 1\n  selector:\n    matchLabels: { app: healthcode, province: \"330000\" }",
            "BudgetAndServiceSelectPods", "no PodDisruptionBudget selects the pods", "BudgetSelectsOtherPods");

        static TestCaseData Break(string from, string to, string rule, string expected, string name) =>
            new TestCaseData(from, to, rule, expected).SetName($"Kubernetes_{name}_IsCaught");
    }

    [TestCaseSource(nameof(KubernetesBreaks))]
    public async Task KubernetesRule_NamesTheBreak(string from, string to, string rule, string expected)
    {
        var manifests = await DeployTools.YamlAsync(Edited(Province, from, to));
        var dockerfile = await File.ReadAllTextAsync(DeployTools.DeployFile("Dockerfile"));

        var problems = rule switch
        {
            "SeveralReplicas" => DeployRules.SeveralReplicas(manifests),
            "RunsAsImageUser" => DeployRules.RunsAsImageUser(manifests, DeployRules.ImageUser(dockerfile)),
            "ContainersHardened" => DeployRules.ContainersHardened(manifests),
            "Probes" => DeployRules.Probes(manifests),
            "KeysReadOnly" => DeployRules.KeysReadOnly(manifests),
            "ConnectionStringsFromSecrets" => DeployRules.ConnectionStringsFromSecrets(manifests),
            "BudgetAndServiceSelectPods" => DeployRules.BudgetAndServiceSelectPods(manifests),
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
        };

        Assert.That(problems, Has.Some.Contains(expected));
    }

    [Test]
    public async Task KubernetesSchemaCheck_Fails_OnAPortThatIsNotANumber_AndOnAnUnknownKind()
    {
        using var work = new Scratch();
        var badPort = work.Write("port.yaml", Edited(Province, "containerPort: 8080", "containerPort: eighty-eighty"));
        var badKind = work.Write("kind.yaml", Edited(Province, "kind: PodDisruptionBudget", "kind: PodDisruptionBugdet"));

        var (portExit, portOutput) = await DeployTools.CheckKubernetesAsync([badPort]);
        var (kindExit, kindOutput) = await DeployTools.CheckKubernetesAsync([badKind]);

        Assert.Multiple(() =>
        {
            Assert.That(portExit, Is.Not.Zero, portOutput);
            Assert.That(portOutput, Does.Contain("containerPort must be integer"));
            Assert.That(kindExit, Is.Not.Zero, kindOutput);
            Assert.That(kindOutput, Does.Contain("no Kubernetes schema for apiVersion \"policy/v1\" kind \"PodDisruptionBugdet\""));
        });
    }

    [TestCase("USER 1654:1654", "USER app", "no numeric non-root USER", TestName = "Dockerfile_UserByName_IsCaught")]
    [TestCase("USER 1654:1654", "USER 0:0", "no numeric non-root USER", TestName = "Dockerfile_Root_IsCaught")]
    [TestCase("chown 1654:1654 /data", "chown root /data", "/data is not chowned to 1654:1654", TestName = "Dockerfile_DataNotOwned_IsCaught")]
    [TestCase("HEALTHCHECK --interval", "# HEALTHCHECK --interval", "no HEALTHCHECK", TestName = "Dockerfile_NoHealthcheck_IsCaught")]
    [TestCase("FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime", "FROM mcr.microsoft.com/dotnet/sdk:10.0 AS runtime", "not a multi-stage build", TestName = "Dockerfile_SdkAtRuntime_IsCaught")]
    public void DockerfileRule_NamesTheBreak(string from, string to, string expected) =>
        Assert.That(DeployRules.Dockerfile(Edited("Dockerfile", from, to)), Has.Some.Contains(expected));

    [Test]
    public async Task PodUserRule_Fails_WhenTheImagesUserChanges_AndTheManifestDoesNot()
    {
        var manifests = await DeployTools.YamlAsync(await File.ReadAllTextAsync(DeployTools.DeployFile(Province)));
        var dockerfile = Edited("Dockerfile", "USER 1654:1654", "USER 2000:2000");

        Assert.That(DeployRules.RunsAsImageUser(manifests, DeployRules.ImageUser(dockerfile)), Has.Some.Contains("runAsUser is 1654, the image's is 2000"));
    }

    [TestCase("keys-sample/\n", "", "does not exclude keys-sample", TestName = "DockerIgnore_KeysInContext_IsCaught")]
    [TestCase("**/*.jwk\n", "", "does not exclude **/*.jwk", TestName = "DockerIgnore_KeyFilesInContext_IsCaught")]
    [TestCase("**/bin/\n", "", "does not exclude **/bin", TestName = "DockerIgnore_BinInContext_IsCaught")]
    [TestCase("**/obj/\n", "", "does not exclude **/obj", TestName = "DockerIgnore_ObjInContext_IsCaught")]
    [TestCase("keys-sample/\n", "keys-sample/\n!keys-sample/410000\n", "brings back !keys-sample/410000", TestName = "DockerIgnore_KeysBroughtBack_IsCaught")]
    public void DockerIgnoreRule_NamesTheBreak(string from, string to, string expected) =>
        Assert.That(DeployRules.DockerIgnore(Edited("../.dockerignore", from, to)), Has.Some.Contains(expected));

    [TestCase("    redis: { condition: service_healthy }\n    hub:", "    redis: { condition: service_started }\n    hub:", "does not wait for a healthy redis", TestName = "Compose_RedisNotAwaited_IsCaught")]
    [TestCase("../keys-sample/410000:/keys:ro", "../keys-sample/410000:/keys", "/keys:rw is not read-only", TestName = "Compose_KeysWritable_IsCaught")]
    [TestCase("../keys-sample/privacy:/keys-privacy:ro\n      - ../keys-sample/hub:/keys-hub:ro\n      - henan-data", "../keys-sample/privacy:/keys-privacy\n      - ../keys-sample/hub:/keys-hub:ro\n      - henan-data",
        "/keys-privacy:rw is not read-only", TestName = "Compose_PrivacyKeysWritable_IsCaught")]
    [TestCase("ConnectionStrings__HealthCode: Host=postgres;Database=healthcode_410000;Username=healthcode;Password=demo-database-password-please-change", "ConnectionStrings__HealthCode: Data Source=/data/healthcode.db",
        "henan: ConnectionStrings__HealthCode is not a PostgreSQL", TestName = "Compose_ProvinceOnSqlite_IsCaught")]
    [TestCase("  read_only: true", "  read_only: false", "read_only is not true", TestName = "Compose_WritableRoot_IsCaught")]
    [TestCase("  user: \"1654:1654\"", "  user: \"0:0\"", "user 0:0, the image's is 1654:1654", TestName = "Compose_RunsAsRoot_IsCaught")]
    [TestCase("  security_opt: [\"no-new-privileges:true\"]\n", "", "security_opt does not hold no-new-privileges", TestName = "Compose_NewPrivilegesAllowed_IsCaught")]
    [TestCase("  tmpfs: [\"/tmp\"]\n", "", "/tmp is not a tmpfs", TestName = "Compose_NoTmp_IsCaught")]
    [TestCase("  HealthCode__Privacy__KeysPath: /keys-privacy\n", "", "henan: HealthCode__Privacy__KeysPath is not set", TestName = "Compose_ProvinceWithoutPrivacyKeys_IsCaught")]
    [TestCase("      test: [\"CMD\", \"redis-cli\", \"ping\"]\n", "", "redis: no service with a healthcheck", TestName = "Compose_RedisWithoutHealthcheck_IsCaught")]
    public async Task ComposeRule_NamesTheBreak(string from, string to, string expected)
    {
        using var work = new Scratch();
        var file = work.Write("compose.yaml", Edited("compose.yaml", from, to));
        var (exit, output, errors) = await DeployTools.ComposeConfigAsync(file);
        Assert.That(exit, Is.Zero, $"the edit should still be a valid compose file:\n{errors}");

        var resolved = (await DeployTools.YamlAsync(output)).Single()!.AsObject();

        Assert.That(DeployRules.Compose(resolved, DeployRules.ImageUser(await File.ReadAllTextAsync(DeployTools.DeployFile("Dockerfile")))), Has.Some.Contains(expected));
    }

    [Test]
    public async Task ComposeConfig_Fails_OnAnUnknownDependencyCondition()
    {
        using var work = new Scratch();
        var file = work.Write("compose.yaml", Edited("compose.yaml", "    redis: { condition: service_healthy }\n    hub:", "    redis: { condition: service_happy }\n    hub:"));

        var (exit, output, errors) = await DeployTools.ComposeConfigAsync(file);

        Assert.That(exit, Is.Not.Zero, $"docker-compose config took condition service_happy:\n{output}");
        Assert.That(errors, Does.Contain("service_happy"));
    }

    /// <summary>The committed file under deploy/ with <paramref name="from"/> (which must occur) replaced by <paramref name="to"/> everywhere.</summary>
    private static string Edited(string relative, string from, string to)
    {
        var text = File.ReadAllText(DeployTools.DeployFile(relative));
        Assert.That(text, Does.Contain(from), $"the edit no longer applies to {relative}: update this case");
        return text.Replace(from, to, StringComparison.Ordinal);
    }

    /// <summary>A temp folder for edited copies, removed afterwards.</summary>
    private sealed class Scratch : IDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("healthcode-deploy-").FullName;

        public string Write(string name, string text)
        {
            var path = Path.Combine(_folder, name);
            File.WriteAllText(path, text);
            return path;
        }

        public void Dispose() => Directory.Delete(_folder, recursive: true);
    }
}
