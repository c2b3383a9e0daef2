using System.Globalization;
using System.Text;

namespace HealthCode.BatchBench;

/// <summary>
/// <c>generate --rows N --out file.csv</c>: a <c>close_contacts</c> batch (DESIGN §9) naming persons 0 to N-1 once each,
/// in a scattered order (row r names person (r × a + N / 3) mod N, a prime to N), as a department's list would not come
/// sorted by ID number: ID number, name, the instant they were notified (within the last 12 days, with its +08:00
/// offset), the day their quarantine ends (14 days after) and the case they were close to.
/// </summary>
internal static class Generate
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    // Primes: one of them is prime to any row count below their product.
    private static readonly int[] Strides = [7919, 7927, 7933];

    public static int Run(Args args)
    {
        var rows = args.Int("--rows", 1, People.Max);
        var path = args.Text("--out");
        People.Check();
        var now = DateTimeOffset.UtcNow.ToOffset(China);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (var writer = new StreamWriter(path, false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 20))
        {
            writer.Write("idNumber,name,notifiedAt,until,caseRef\n");
            long stride = Strides.First(a => rows % a != 0);
            for (long r = 0; r < rows; r++)
            {
                var i = (int)((r * stride + rows / 3) % rows);
                var notified = now.AddMinutes(-(60 + (i * 7919L % (12 * 24 * 60))));
                var until = DateOnly.FromDateTime(notified.DateTime).AddDays(14);
                writer.Write(string.Create(CultureInfo.InvariantCulture,
                    $"{People.IdNumber(i)},{People.Name(i)},{notified:yyyy-MM-ddTHH:mm:sszzz},{until:yyyy-MM-dd},HA-{i % 5000:D5}\n"));
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"generated {rows:N0} close_contacts rows, {new FileInfo(path).Length:N0} bytes, in {clock.Elapsed.TotalSeconds:F1} s -> {path}"));
        return 0;
    }
}
