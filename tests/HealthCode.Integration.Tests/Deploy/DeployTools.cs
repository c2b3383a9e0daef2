using System.Diagnostics;
using System.Text.Json.Nodes;
using HealthCode.Integration.Tests;

namespace HealthCode.Integration.Deploy;

/// <summary>
/// The checkers the deploy tests run, all offline and on this machine: Debian's <c>docker-compose config</c> (it parses and
/// validates the compose file against its schema; no container engine is needed), and tools/deploy's Node scripts: the
/// Kubernetes schema check (kubernetes-models, pinned in its package-lock.json, installed with <c>npm ci</c> when missing)
/// and YAML to JSON for the invariants.
/// </summary>
internal static class DeployTools
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(1);
    private static readonly SemaphoreSlim Install = new(1, 1);

    public static string Root { get; } = RepoRoot.Find();

    public static string DeployFile(string relative) => Path.Combine(Root, "deploy", relative);

    /// <summary><c>docker-compose -f FILE config</c>: its exit code and what it printed (the resolved file, or why not).</summary>
    public static async Task<(int Exit, string Output, string Errors)> ComposeConfigAsync(string composeFile)
    {
        // Without a project name compose takes the folder's, and a copy in a temp folder would resolve differently.
        var start = new ProcessStartInfo("docker-compose", ["--project-name", "healthcode", "-f", composeFile, "config"])
        {
            WorkingDirectory = Path.GetDirectoryName(composeFile)!,
        };
        return await ProcessRun.UntilExitAsync(start, RunTimeout, "docker-compose config");
    }

    /// <summary><c>node tools/deploy/check-k8s.mjs FILES</c>: exit 0 when every document passes its Kubernetes schema.</summary>
    public static async Task<(int Exit, string Output)> CheckKubernetesAsync(IEnumerable<string> files)
    {
        var tool = await ToolAsync();
        var (exit, output, errors) = await ProcessRun.UntilExitAsync(
            new ProcessStartInfo("node", [Path.Combine(tool, "check-k8s.mjs"), .. files]) { WorkingDirectory = tool }, RunTimeout, "check-k8s.mjs");
        return (exit, output + errors);
    }

    /// <summary>The YAML documents of <paramref name="yaml"/> as one JSON array.</summary>
    public static async Task<JsonArray> YamlAsync(string yaml)
    {
        var tool = await ToolAsync();
        var (exit, output, errors) = await ProcessRun.UntilExitAsync(
            new ProcessStartInfo("node", [Path.Combine(tool, "yaml-json.mjs")]) { WorkingDirectory = tool }, RunTimeout, "yaml-json.mjs", yaml);
        Assert.That(exit, Is.Zero, $"the YAML does not parse:\n{errors}");
        return JsonNode.Parse(output)!.AsArray();
    }

    /// <summary>Every Kubernetes manifest in deploy/k8s.</summary>
    public static string[] KubernetesFiles() => [.. Directory.GetFiles(DeployFile("k8s"), "*.yaml").Order(StringComparer.Ordinal)];

    private static async Task<string> ToolAsync()
    {
        var tool = Path.Combine(Root, "tools", "deploy");
        await Install.WaitAsync();
        try
        {
            if (!File.Exists(Path.Combine(tool, "node_modules", "kubernetes-models", "package.json"))
                || !File.Exists(Path.Combine(tool, "node_modules", "yaml", "package.json")))
            {
                var (exit, output, errors) = await ProcessRun.UntilExitAsync(
                    new ProcessStartInfo("npm", ["ci", "--no-audit", "--no-fund"]) { WorkingDirectory = tool }, InstallTimeout, "npm ci in tools/deploy");
                Assert.That(exit, Is.Zero, $"npm ci in tools/deploy failed:\n{output}{errors}");
            }
        }
        finally
        {
            Install.Release();
        }

        return tool;
    }
}
