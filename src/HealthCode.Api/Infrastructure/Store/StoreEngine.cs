using System.Data.Common;
using HealthCode.Api.Infrastructure.Settings;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>The database the store lives in (DESIGN §11): SQLite embedded in one file, the default, or a PostgreSQL server.</summary>
internal enum StoreEngine
{
    Sqlite,
    Postgres,
}

/// <summary>Reads the engine from <c>ConnectionStrings:HealthCode</c>: <c>Host=...;Database=...</c> is PostgreSQL, <c>Data Source=...</c> SQLite.</summary>
internal static class StoreConnectionString
{
    public const string Setting = "ConnectionStrings:HealthCode";

    /// <summary>
    /// The engine <paramref name="configured"/> names; none configured is SQLite's default file. A string that names
    /// both (or neither) is refused with one line rather than guessed at: guessing wrong would start on an empty database.
    /// </summary>
    public static StoreEngine EngineOf(string? configured)
    {
        if (string.IsNullOrWhiteSpace(configured))
        {
            return StoreEngine.Sqlite;
        }

        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = configured;
        }
        catch (ArgumentException)
        {
            throw new SettingException($"{Setting} is not a connection string: use Host=...;Database=... for PostgreSQL or Data Source=... for SQLite.");
        }

        var postgres = builder.ContainsKey("Host") || builder.ContainsKey("Server");
        var sqlite = builder.ContainsKey("Data Source") || builder.ContainsKey("DataSource") || builder.ContainsKey("Filename");
        return (postgres, sqlite) switch
        {
            (true, false) => StoreEngine.Postgres,
            (false, true) => StoreEngine.Sqlite,
            _ => throw new SettingException(
                $"{Setting} must name either a PostgreSQL server (Host=...;Database=...) or a SQLite file (Data Source=...), not {(postgres ? "both" : "neither")}."),
        };
    }
}
