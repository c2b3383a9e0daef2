using HealthCode.BatchBench;

// The issue 10 batch bench; bench/batches/issue10.sh runs the commands in order (see its header and docs/PERFORMANCE.md).
var rest = new Args(args.Skip(1).ToArray());
return args.FirstOrDefault() switch
{
    "generate" => Generate.Run(rest),
    "bulk" => await BulkInsert.Run(rest),
    "residents" => await Residents.Run(rest),
    "watch" => await Watch.Run(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: BatchBench generate|bulk|residents|watch --name value ... (see each command's file)");
    return 2;
}
