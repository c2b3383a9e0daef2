namespace HealthCode.Integration.Tests;

internal static class RepoRoot
{
    /// <summary>The folder holding HealthCode.sln, found by walking up from the test assembly.</summary>
    public static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "HealthCode.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"HealthCode.sln not found above {AppContext.BaseDirectory}");
    }
}
