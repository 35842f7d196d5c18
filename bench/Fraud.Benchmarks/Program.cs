using System.Diagnostics;
using System.Reflection;
using Fraud.Benchmarks;

// dotnet run -c Release --project bench/Fraud.Benchmarks -- [all|rules|actors|checkpoints|e2e|memory] [--messages N] [--soak-seconds S]

// Tiered compilation starts counting calls towards a method's optimized tier only after 100 ms in which no new method
// was compiled. A detector node compiles new code for seconds after it starts, so its hot paths ran unoptimized well
// into the measured part of a run (a JIT log showed the parser's first recompilation there). With the delay at 0 they
// reach their optimized code in the warm-up, as in the detector's image (src/Fraud.Host/Dockerfile); the variable has to
// be there when the runtime starts, so the bench starts itself again with it.
const string TieringDelay = "DOTNET_TC_CallCountingDelayMs";
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
    using var child = Process.Start(start)!;
    await child.WaitForExitAsync();
    return child.ExitCode;
}

return await BenchCommand.RunAsync(args);
