using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace HealthCode.Integration.Deploy;

/// <summary>
/// What the deployment must hold that no schema can see (issue 13, item 5), as rules over the parsed files: each returns
/// the violations it finds, empty when the files hold. The Kubernetes documents and the compose file arrive as JSON
/// (tools/deploy/yaml-json.mjs; compose after <c>docker-compose config</c> has resolved it); the Dockerfile and the
/// .dockerignore as text. Pure functions, so <see cref="DeployRulesCanFailTests"/> can show that each one fires on a broken copy.
/// </summary>
internal static partial class DeployRules
{
    /// <summary>The image's <c>USER</c> in the last stage: numeric uid and gid, or null when it is missing or a name.</summary>
    public static (long Uid, long Gid)? ImageUser(string dockerfile)
    {
        var user = LastStage(dockerfile).Select(l => UserLine().Match(l)).LastOrDefault(m => m.Success);
        if (user is null || !long.TryParse(user.Groups["uid"].Value, out var uid))
        {
            return null;
        }

        return (uid, long.TryParse(user.Groups["gid"].Value, out var gid) ? gid : uid);
    }

    /// <summary>The exec form of the runtime stage's <c>HEALTHCHECK ... CMD [..]</c>, or null when there is none in that form.</summary>
    public static string[]? HealthcheckCommand(string dockerfile)
    {
        var line = LastStage(dockerfile).FirstOrDefault(l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));
        var cmd = line?.IndexOf(" CMD [", StringComparison.Ordinal) ?? -1;
        return cmd < 0 ? null : JsonNode.Parse(line![(cmd + " CMD ".Length)..])!.AsArray().Select(a => (string)a!).ToArray();
    }

    /// <summary>Multi-stage (an SDK build, an ASP.NET runtime), a numeric non-root USER, /data owned by it, a HEALTHCHECK on /healthz.</summary>
    public static List<string> Dockerfile(string dockerfile)
    {
        var problems = new List<string>();
        var froms = Lines(dockerfile).Where(l => l.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase)).ToList();
        if (froms.Count < 2 || !froms[0].Contains("/dotnet/sdk:", StringComparison.Ordinal) || !froms[^1].Contains("/dotnet/aspnet:", StringComparison.Ordinal))
        {
            problems.Add($"not a multi-stage build from dotnet/sdk to dotnet/aspnet: {string.Join(" | ", froms)}");
        }

        var stage = LastStage(dockerfile);
        var user = ImageUser(dockerfile);
        if (user is not { } id || id.Uid == 0)
        {
            problems.Add("the runtime stage has no numeric non-root USER uid[:gid] (Kubernetes proves runAsNonRoot only for a number)");
        }
        else if (!stage.Any(l => l.StartsWith("RUN ", StringComparison.Ordinal) && l.Contains($"chown {id.Uid}:{id.Gid} /data", StringComparison.Ordinal)))
        {
            problems.Add($"/data is not chowned to {id.Uid}:{id.Gid} in the runtime stage");
        }

        var healthcheck = stage.FirstOrDefault(l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));
        if (healthcheck is null || healthcheck.Contains("NONE", StringComparison.Ordinal) || !healthcheck.Contains("/healthz", StringComparison.Ordinal))
        {
            problems.Add("the runtime stage has no HEALTHCHECK that asks /healthz");
        }

        return problems;
    }

    /// <summary>
    /// The context's .dockerignore names build output, history, test output and every key file. Checked as lines (a
    /// trailing slash or leading <c>/</c> aside), not as a glob engine, and no <c>!</c> line may bring one back.
    /// </summary>
    public static List<string> DockerIgnore(string dockerignore)
    {
        var lines = Lines(dockerignore).Where(l => !l.StartsWith('#')).ToList();
        var excluded = lines.Where(l => !l.StartsWith('!')).Select(Normal).ToHashSet(StringComparer.Ordinal);
        var reincluded = lines.Where(l => l.StartsWith('!')).Select(l => Normal(l[1..])).ToList();
        string[] required = ["**/bin", "**/obj", "**/node_modules", ".git", ".test-results", "**/TestResults", "keys-sample", "**/*.jwk"];
        var problems = required.Where(r => !excluded.Contains(r)).Select(r => $".dockerignore does not exclude {r}").ToList();
        problems.AddRange(reincluded.Select(r => $".dockerignore brings back !{r}"));
        return problems;

        static string Normal(string pattern) => pattern.Trim().TrimStart('/').TrimEnd('/');
    }

    /// <summary>The pods run as the image's numeric user and group (pod level, and any container that sets its own).</summary>
    public static List<string> RunsAsImageUser(JsonArray manifests, (long Uid, long Gid)? image)
    {
        if (image is not { } id)
        {
            return ["the Dockerfile has no numeric USER to compare with"];
        }

        var problems = new List<string>();
        foreach (var (name, pod) in PodSpecs(manifests))
        {
            var security = pod["securityContext"];
            Expect(problems, name, "runAsUser", (long?)security?["runAsUser"], id.Uid);
            Expect(problems, name, "runAsGroup", (long?)security?["runAsGroup"], id.Gid);
            Expect(problems, name, "fsGroup", (long?)security?["fsGroup"], id.Gid);
            foreach (var container in Containers(pod))
            {
                if (container["securityContext"]?["runAsUser"] is { } own && (long)own != id.Uid)
                {
                    problems.Add($"{name}/{container["name"]}: runAsUser {own}, the image's user is {id.Uid}");
                }
            }
        }

        return problems;

        static void Expect(List<string> problems, string name, string field, long? actual, long wanted)
        {
            if (actual != wanted)
            {
                problems.Add($"{name}: securityContext.{field} is {actual?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "missing"}, the image's is {wanted}");
            }
        }
    }

    /// <summary>More than one replica: the Deployment's own count, and the autoscaler's floor if one targets it.</summary>
    public static List<string> SeveralReplicas(JsonArray manifests)
    {
        var problems = new List<string>();
        var deployments = Kind(manifests, "Deployment").ToList();
        if (deployments.Count == 0)
        {
            problems.Add("no Deployment");
        }

        foreach (var deployment in deployments)
        {
            var name = Name(deployment);
            // Absent means 1 (the API's default).
            var replicas = (long?)deployment["spec"]?["replicas"] ?? 1;
            if (replicas <= 1)
            {
                problems.Add($"Deployment/{name}: replicas {replicas}");
            }

            foreach (var hpa in Kind(manifests, "HorizontalPodAutoscaler").Where(h => (string?)h["spec"]?["scaleTargetRef"]?["name"] == name))
            {
                var min = (long?)hpa["spec"]?["minReplicas"] ?? 1;
                if (min <= 1 || (long?)hpa["spec"]?["maxReplicas"] < min)
                {
                    problems.Add($"HorizontalPodAutoscaler/{Name(hpa)}: minReplicas {min}, maxReplicas {hpa["spec"]?["maxReplicas"]}");
                }
            }
        }

        return problems;
    }

    /// <summary>
    /// Every container (init ones too): no privilege escalation, read-only root, all capabilities dropped, non-root,
    /// seccomp RuntimeDefault (its own or the pod's), CPU and memory requests and limits, and /tmp on an emptyDir.
    /// </summary>
    public static List<string> ContainersHardened(JsonArray manifests)
    {
        var problems = new List<string>();
        foreach (var (name, pod) in PodSpecs(manifests))
        {
            var podSecurity = pod["securityContext"];
            var emptyDirs = Volumes(pod).Where(v => v["emptyDir"] is not null).Select(v => (string?)v["name"]).ToHashSet();
            if ((bool?)pod["hostNetwork"] == true || (bool?)pod["hostPID"] == true || (bool?)pod["hostIPC"] == true)
            {
                problems.Add($"{name}: shares a host namespace");
            }

            foreach (var container in Containers(pod))
            {
                var where = $"{name}/{container["name"]}";
                var security = container["securityContext"];
                if ((bool?)security?["allowPrivilegeEscalation"] != false)
                {
                    problems.Add($"{where}: allowPrivilegeEscalation is not false");
                }

                if ((bool?)security?["readOnlyRootFilesystem"] != true)
                {
                    problems.Add($"{where}: readOnlyRootFilesystem is not true");
                }

                if ((bool?)security?["privileged"] == true)
                {
                    problems.Add($"{where}: privileged");
                }

                var drop = security?["capabilities"]?["drop"]?.AsArray().Select(c => (string?)c).ToList() ?? [];
                if (!drop.Contains("ALL"))
                {
                    problems.Add($"{where}: capabilities do not drop ALL");
                }

                if (security?["capabilities"]?["add"] is JsonArray { Count: > 0 } add)
                {
                    problems.Add($"{where}: adds capabilities {add.ToJsonString()}");
                }

                if (((bool?)security?["runAsNonRoot"] ?? (bool?)podSecurity?["runAsNonRoot"]) != true)
                {
                    problems.Add($"{where}: runAsNonRoot is not true");
                }

                if (((string?)security?["seccompProfile"]?["type"] ?? (string?)podSecurity?["seccompProfile"]?["type"]) != "RuntimeDefault")
                {
                    problems.Add($"{where}: seccompProfile is not RuntimeDefault");
                }

                foreach (var bound in new[] { "requests", "limits" })
                {
                    foreach (var resource in new[] { "cpu", "memory" })
                    {
                        if (container["resources"]?[bound]?[resource] is null)
                        {
                            problems.Add($"{where}: no {resource} in resources.{bound}");
                        }
                    }
                }

                if (!Mounts(container).Any(m => (string?)m["mountPath"] == "/tmp" && emptyDirs.Contains((string?)m["name"])))
                {
                    problems.Add($"{where}: /tmp is not an emptyDir (the root filesystem is read-only)");
                }
            }
        }

        return problems;
    }

    /// <summary>The service's containers are probed: readiness on /readyz, liveness on /healthz.</summary>
    public static List<string> Probes(JsonArray manifests)
    {
        var problems = new List<string>();
        foreach (var (name, pod) in PodSpecs(manifests))
        {
            foreach (var container in (pod["containers"]?.AsArray() ?? []).Select(c => c!))
            {
                var where = $"{name}/{container["name"]}";
                if ((string?)container["readinessProbe"]?["httpGet"]?["path"] != "/readyz")
                {
                    problems.Add($"{where}: readinessProbe does not GET /readyz");
                }

                if ((string?)container["livenessProbe"]?["httpGet"]?["path"] != "/healthz")
                {
                    problems.Add($"{where}: livenessProbe does not GET /healthz");
                }
            }
        }

        return problems;
    }

    /// <summary>
    /// The signing keys (<c>HealthCode__Keys__Path</c>) and the privacy keys (<c>HealthCode__Privacy__KeysPath</c>) are
    /// mounted read-only from Secrets at the paths the settings name, and no Secret is mounted writable.
    /// </summary>
    public static List<string> KeysReadOnly(JsonArray manifests)
    {
        var problems = new List<string>();
        foreach (var (name, pod) in PodSpecs(manifests))
        {
            var secrets = Volumes(pod).Where(v => v["secret"] is not null).Select(v => (string?)v["name"]).ToHashSet();
            foreach (var container in (pod["containers"]?.AsArray() ?? []).Select(c => c!))
            {
                var where = $"{name}/{container["name"]}";
                var settings = Settings(manifests, container);
                foreach (var setting in new[] { "HealthCode__Keys__Path", "HealthCode__Privacy__KeysPath" })
                {
                    if (!settings.TryGetValue(setting, out var path))
                    {
                        problems.Add($"{where}: {setting} is not set");
                        continue;
                    }

                    var mount = Mounts(container).FirstOrDefault(m => (string?)m["mountPath"] == path);
                    if (mount is null || !secrets.Contains((string?)mount["name"]))
                    {
                        problems.Add($"{where}: {setting}={path} is not a mounted Secret");
                    }
                    else if ((bool?)mount["readOnly"] != true)
                    {
                        problems.Add($"{where}: {setting}={path} is mounted writable");
                    }
                }

                foreach (var mount in Mounts(container).Where(m => secrets.Contains((string?)m["name"]) && (bool?)m["readOnly"] != true))
                {
                    problems.Add($"{where}: Secret volume {mount["name"]} at {mount["mountPath"]} is mounted writable");
                }
            }
        }

        return problems;
    }

    /// <summary>The store and Redis connection strings come from Secrets, never from a ConfigMap or a literal value.</summary>
    public static List<string> ConnectionStringsFromSecrets(JsonArray manifests)
    {
        var problems = new List<string>();
        foreach (var (name, pod) in PodSpecs(manifests))
        {
            foreach (var container in (pod["containers"]?.AsArray() ?? []).Select(c => c!))
            {
                var env = (container["env"]?.AsArray() ?? []).Select(e => e!).ToList();
                foreach (var setting in new[] { "ConnectionStrings__HealthCode", "ConnectionStrings__Redis" })
                {
                    var entry = env.FirstOrDefault(e => (string?)e["name"] == setting);
                    if (entry?["valueFrom"]?["secretKeyRef"]?["name"] is null)
                    {
                        problems.Add($"{name}/{container["name"]}: {setting} does not come from a Secret");
                    }
                }

                foreach (var (key, _) in ConfigMapSettings(manifests, container).Where(s => s.Key.StartsWith("ConnectionStrings__", StringComparison.Ordinal)))
                {
                    problems.Add($"{name}/{container["name"]}: {key} is in a ConfigMap");
                }
            }
        }

        return problems;
    }

    /// <summary>A PodDisruptionBudget (with a bound) and the Service each select the Deployment's pods; the Service's target port is a container's.</summary>
    public static List<string> BudgetAndServiceSelectPods(JsonArray manifests)
    {
        var problems = new List<string>();
        foreach (var deployment in Kind(manifests, "Deployment"))
        {
            var labels = deployment["spec"]?["template"]?["metadata"]?["labels"]?.AsObject() ?? [];
            var budgets = Kind(manifests, "PodDisruptionBudget").Where(p => Selects(p["spec"]?["selector"]?["matchLabels"], labels)).ToList();
            if (budgets.Count == 0)
            {
                problems.Add($"no PodDisruptionBudget selects the pods of Deployment/{Name(deployment)}");
            }

            foreach (var budget in budgets.Where(b => b["spec"]?["minAvailable"] is null && b["spec"]?["maxUnavailable"] is null))
            {
                problems.Add($"PodDisruptionBudget/{Name(budget)} sets neither minAvailable nor maxUnavailable");
            }

            var ports = (deployment["spec"]?["template"]?["spec"]?["containers"]?.AsArray() ?? [])
                .SelectMany(c => c!["ports"]?.AsArray() ?? []).Select(p => (string?)p!["name"]).ToHashSet();
            var services = Kind(manifests, "Service").Where(s => Selects(s["spec"]?["selector"], labels)).ToList();
            if (services.Count == 0)
            {
                problems.Add($"no Service selects the pods of Deployment/{Name(deployment)}");
            }

            foreach (var port in services.SelectMany(s => s["spec"]?["ports"]?.AsArray() ?? []).Where(p => !ports.Contains((string?)p!["targetPort"])))
            {
                problems.Add($"a Service port targets {port!["targetPort"]}, which no container names");
            }
        }

        return problems;

        // A selector with no labels selects every pod in the namespace: that is not "the deployment's pods".
        static bool Selects(JsonNode? selector, JsonObject labels) => selector is JsonObject { Count: > 0 } wanted
            && wanted.All(w => labels.TryGetPropertyValue(w.Key, out var v) && (string?)v == (string?)w.Value);
    }

    /// <summary>
    /// The compose file as <c>docker-compose config</c> resolves it: PostgreSQL and Redis with healthchecks; every service
    /// built from the Dockerfile waits for a healthy PostgreSQL (and, when it uses Redis, a healthy Redis), runs as the image's
    /// user, hardened, with its store on PostgreSQL and its keys (a province's privacy keys too) mounted read-only.
    /// </summary>
    public static List<string> Compose(JsonObject compose, (long Uid, long Gid)? image)
    {
        var problems = new List<string>();
        var services = compose["services"]?.AsObject() ?? [];
        foreach (var store in new[] { "postgres", "redis" })
        {
            if (services[store]?["healthcheck"]?["test"] is null)
            {
                problems.Add($"{store}: no service with a healthcheck");
            }
        }

        var ours = services.Where(s => s.Value?["build"] is not null).ToList();
        if (ours.Count == 0)
        {
            problems.Add("no service is built from deploy/Dockerfile");
        }

        foreach (var (name, service) in ours)
        {
            var env = service!["environment"]?.AsObject() ?? [];
            if ((string?)env["ConnectionStrings__HealthCode"] is not { } store || !store.StartsWith("Host=", StringComparison.Ordinal))
            {
                problems.Add($"{name}: ConnectionStrings__HealthCode is not a PostgreSQL Host=... string");
            }

            var needs = new List<string> { "postgres" };
            if (env["ConnectionStrings__Redis"] is not null)
            {
                needs.Add("redis");
            }

            foreach (var dependency in needs.Where(d => (string?)service["depends_on"]?[d]?["condition"] != "service_healthy"))
            {
                problems.Add($"{name}: does not wait for a healthy {dependency} (depends_on condition service_healthy)");
            }

            if (image is { } id && (string?)service["user"] != $"{id.Uid}:{id.Gid}")
            {
                problems.Add($"{name}: user {service["user"]}, the image's is {id.Uid}:{id.Gid}");
            }

            if ((bool?)service["read_only"] != true)
            {
                problems.Add($"{name}: read_only is not true");
            }

            if (!(service["cap_drop"]?.AsArray() ?? []).Any(c => (string?)c == "ALL"))
            {
                problems.Add($"{name}: cap_drop does not hold ALL");
            }

            if (!(service["security_opt"]?.AsArray() ?? []).Any(o => (string?)o is "no-new-privileges:true" or "no-new-privileges"))
            {
                problems.Add($"{name}: security_opt does not hold no-new-privileges");
            }

            if (!(service["tmpfs"]?.AsArray() ?? []).Any(t => (string?)t == "/tmp"))
            {
                problems.Add($"{name}: /tmp is not a tmpfs (the root is read-only)");
            }

            var volumes = (service["volumes"]?.AsArray() ?? []).Select(v => (string?)v ?? "").ToList();
            // A province needs its privacy keys; the hub holds no personal data and reads none.
            var hub = (string?)env["HealthCode__Hub__Enabled"] == "true";
            var keyPaths = hub ? ["/keys"] : new[] { "/keys", (string?)env["HealthCode__Privacy__KeysPath"] };
            foreach (var path in keyPaths)
            {
                if (path is null)
                {
                    problems.Add($"{name}: HealthCode__Privacy__KeysPath is not set");
                    continue;
                }

                if (!volumes.Any(v => v.Split(':') is [_, var target, ..] && target == path))
                {
                    problems.Add($"{name}: nothing is mounted at {path}");
                }
            }

            foreach (var volume in volumes.Where(v => v.Split(':') is [_, var target, ..] && target.StartsWith("/keys", StringComparison.Ordinal) && !v.EndsWith(":ro", StringComparison.Ordinal)))
            {
                problems.Add($"{name}: {volume} is not read-only");
            }
        }

        return problems;
    }

    private static IEnumerable<JsonObject> Kind(JsonArray manifests, string kind) =>
        manifests.OfType<JsonObject>().Where(m => (string?)m["kind"] == kind);

    private static string Name(JsonNode manifest) => (string?)manifest["metadata"]?["name"] ?? "?";

    /// <summary>The pod specs of every workload (Deployments here; StatefulSets, DaemonSets and Jobs if any are added).</summary>
    private static IEnumerable<(string Name, JsonNode Pod)> PodSpecs(JsonArray manifests) =>
        manifests.OfType<JsonObject>()
            .Where(m => (string?)m["kind"] is "Deployment" or "StatefulSet" or "DaemonSet" or "Job")
            .Select(m => ($"{m["kind"]}/{Name(m)}", m["spec"]?["template"]?["spec"] ?? new JsonObject()));

    private static IEnumerable<JsonNode> Containers(JsonNode pod) =>
        (pod["initContainers"]?.AsArray() ?? []).Concat(pod["containers"]?.AsArray() ?? []).Select(c => c!);

    private static IEnumerable<JsonNode> Volumes(JsonNode pod) => (pod["volumes"]?.AsArray() ?? []).Select(v => v!);

    private static IEnumerable<JsonNode> Mounts(JsonNode container) => (container["volumeMounts"]?.AsArray() ?? []).Select(m => m!);

    /// <summary>The container's settings as the process sees them: ConfigMaps it takes whole, then its own literal values.</summary>
    private static Dictionary<string, string> Settings(JsonArray manifests, JsonNode container)
    {
        var settings = ConfigMapSettings(manifests, container).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
        foreach (var entry in (container["env"]?.AsArray() ?? []).Select(e => e!).Where(e => e["value"] is not null))
        {
            settings[(string)entry["name"]!] = (string)entry["value"]!;
        }

        return settings;
    }

    private static IEnumerable<KeyValuePair<string, string>> ConfigMapSettings(JsonArray manifests, JsonNode container)
    {
        var maps = (container["envFrom"]?.AsArray() ?? []).Select(e => (string?)e!["configMapRef"]?["name"]).Where(n => n is not null).ToHashSet();
        return Kind(manifests, "ConfigMap").Where(c => maps.Contains(Name(c)))
            .SelectMany(c => c["data"]?.AsObject() ?? [])
            .Select(d => KeyValuePair.Create(d.Key, d.Value?.ToString() ?? ""));
    }

    /// <summary>Logical lines: continuations (a trailing backslash) joined, comments and blanks dropped.</summary>
    private static List<string> Lines(string text)
    {
        var lines = new List<string>();
        var current = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (current.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }

            lines.Add(current + line);
            current = "";
        }

        return lines;
    }

    private static List<string> LastStage(string dockerfile)
    {
        var lines = Lines(dockerfile);
        var from = lines.FindLastIndex(l => l.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase));
        return from < 0 ? [] : lines[from..];
    }

    [GeneratedRegex(@"^USER\s+(?<uid>[^:\s]+)(:(?<gid>\S+))?\s*$")]
    private static partial Regex UserLine();
}
