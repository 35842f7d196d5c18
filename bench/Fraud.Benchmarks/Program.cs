using Fraud.Benchmarks;

// dotnet run -c Release --project bench/Fraud.Benchmarks -- [all|e2e|actors|memory|rules] [--messages N] [--soak-seconds S]
return await BenchCommand.RunAsync(args);
