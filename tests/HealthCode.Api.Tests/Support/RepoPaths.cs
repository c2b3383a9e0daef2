namespace HealthCode.Api.Tests.Support;

internal static class RepoPaths
{
    /// <summary>The repository root: the folder holding HealthCode.sln above the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    public static string SampleKeys(string province) => Path.Combine(Root, "keys-sample", province);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HealthCode.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("HealthCode.sln not found above " + AppContext.BaseDirectory);
    }
}
