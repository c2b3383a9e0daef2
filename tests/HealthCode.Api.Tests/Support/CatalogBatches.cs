using Microsoft.Data.Sqlite;

namespace HealthCode.Api.Tests.Support;

/// <summary>
/// What the batch uploader (another area's) records once a batch is applied, written straight into a service's SQLite
/// store: the entry's <c>last_batch_at</c> and <c>rows</c>. The page tests compile this file too (linked in their
/// project), for the service process they drive.
/// </summary>
internal static class CatalogBatches
{
    public static void Record(string databaseFile, string code, DateTimeOffset at, long rows)
    {
        using var connection = new SqliteConnection($"Data Source={databaseFile};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE catalog SET last_batch_at = $at, rows = $rows WHERE code = $code";
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$rows", rows);
        command.Parameters.AddWithValue("$code", code);
        Assert.That(command.ExecuteNonQuery(), Is.EqualTo(1), $"no catalogue entry {code}");
    }
}
