using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using HealthCode.Api.Infrastructure.Store;
using Microsoft.Data.Sqlite;
using nietras.SeparatedValues;

namespace HealthCode.BatchBench;

/// <summary>
/// <c>bulk --db file --csv file [--ids ordered|random]</c>: the baseline of issue 10. A fresh SQLite file is given the
/// service's schema by the service's own migrations; then the rows of a close_contacts CSV go into <c>persons</c> and
/// <c>fact_close_contacts</c> in one transaction, with one prepared statement each and parameters bound in place, and
/// nothing checked: no ID number or name rule, no upsert, no batch bookkeeping, no re-scoring. The values are stored as
/// the service stores them (instants as Unix milliseconds; person ids of 12 bytes in hex, either the service's
/// time-ordered ids, the default, or 12 random bytes as before issue 10), so the rows and indexes are the same size.
/// </summary>
internal static class BulkInsert
{
    public static async Task<int> Run(Args args)
    {
        var path = args.Text("--db");
        var csv = args.Text("--csv");
        var ordered = args.Text("--ids", "ordered") switch
        {
            "ordered" => true,
            "random" => false,
            _ => throw new ArgumentException("--ids is ordered or random"),
        };
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }

        var connectionString = new SqliteConnectionStringBuilder { DataSource = path }.ToString();
        await new SqliteDatabase(connectionString).MigrateAsync(CancellationToken.None);

        var clock = Stopwatch.StartNew();
        long rows = 0;
        await using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            using var transaction = connection.BeginTransaction();
            using var person = Prepare(connection, transaction, "INSERT INTO persons (id, id_number, full_name, created_at) VALUES ($id, $idNumber, $name, $at)");
            using var contact = Prepare(connection, transaction,
                "INSERT INTO fact_close_contacts (person_id, case_ref, notified_at, until_day, source, batch_id) VALUES ($id, $ref, $notified, $until, 'BULK', 'bulk-1')");
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            using var reader = Sep.Reader().FromFile(csv);
            foreach (var row in reader)
            {
                var id = ordered ? PersonIds.New(now) : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
                person.Parameters[0].Value = id;
                person.Parameters[1].Value = row["idNumber"].ToString();
                person.Parameters[2].Value = row["name"].ToString();
                person.Parameters[3].Value = now;
                person.ExecuteNonQuery();
                contact.Parameters[0].Value = id;
                contact.Parameters[1].Value = row["caseRef"].ToString();
                contact.Parameters[2].Value = DateTimeOffset.Parse(row["notifiedAt"].Span, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
                contact.Parameters[3].Value = row["until"].ToString();
                contact.ExecuteNonQuery();
                rows++;
            }

            transaction.Commit();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bulk insert: {rows:N0} rows (persons + fact_close_contacts) in {clock.Elapsed.TotalSeconds:F2} s, {rows / clock.Elapsed.TotalSeconds:N0} rows/s, one transaction, {(ordered ? "time-ordered" : "random")} person ids -> {path}"));
        return 0;
    }

    private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in System.Text.RegularExpressions.Regex.Matches(sql, @"\$\w+").Select(m => m.Value))
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }
}
