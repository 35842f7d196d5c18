using System.Diagnostics;
using System.Reflection;
using Fraud.Benchmarks;

// dotnet run -c Release --project bench/Fraud.Benchmarks -- [all|pack|rules|actors|checkpoints|e2e|memory|state|rulecost] [--messages N] [--soak-seconds S] [--rules FILE]

// Tiered compilation starts counting calls towards a method's optimized tier only after 100 ms in which no new method
// was compiled. A detector node compiles new code for seconds after it starts, so its hot paths ran unoptimized well
// into the measured part of a run (a JIT log showed the parser's first recompilation there). With the delay at 0 they
// reach their optimized code in the warm-up, as in the detector's image (src/Fraud.Host/Dockerfile); the variable has to
// be there when the runtime starts, so the bench starts itself again with it.
//
// Likewise the young generation's budget, as the image sets it: 64 MiB instead of the runtime's default (a few MiB,
// from the cache size). What a young collection costs is what survives it, and here that is the records in flight,
// whatever the budget; a larger budget makes the collections, and so those copies, rarer (bench/RESULTS.md §11).
const string TieringDelay = "DOTNET_TC_CallCountingDelayMs";
const string Gen0Budget = "DOTNET_GCgen0size";
if (Environment.GetEnvironmentVariable(TieringDelay) is null)
{
    var self = Environment.ProcessPath!;
    var start = new ProcessStartInfo(self) { UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(self) == "dotnet")
    {
        start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
    }

    foreach (var arg in args)
    {
        start.ArgumentList.Add(arg);
    }

    start.Environment[TieringDelay] = "0";
    start.Environment[Gen0Budget] = Environment.GetEnvironmentVariable(Gen0Budget) ?? "0x4000000"; // unless the caller set one
    using var child = Process.Start(start)!;
    await child.WaitForExitAsync();
    return child.ExitCode;
}

return await BenchCommand.RunAsync(args);
