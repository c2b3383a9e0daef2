using System.Diagnostics;
using System.Reflection;

namespace HealthCode.Integration.Tests;

/// <summary>The built <c>healthcode</c> CLI (this configuration's build output), run from the repository root as an operator would.</summary>
internal static class HealthCodeCli
{
    /// <summary>Runs <c>healthcode <paramref name="args"/></c>; its exit code, output and errors. Fails the test if it outlasts <paramref name="timeout"/>.</summary>
    public static async Task<(int Exit, string Output, string Errors)> RunAsync(TimeSpan timeout, params string[] args)
    {
        var root = RepoRoot.Find();
        var configuration = typeof(HealthCodeCli).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var start = new ProcessStartInfo(ApiProcess.DotNetHost()) { WorkingDirectory = root };
        start.ArgumentList.Add(Path.Combine(root, "src", "HealthCode.Cli", "bin", configuration, "net10.0", "healthcode.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return await ProcessRun.UntilExitAsync(start, timeout, $"healthcode {string.Join(' ', args)}");
    }
}
