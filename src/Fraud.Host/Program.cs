using System.Runtime.InteropServices;
using Fraud.Host.Cli;

// Ctrl+C and SIGTERM both mean "stop gracefully": drain, commit, leave the cluster.
using var shutdown = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
return await FraudCli.RunAsync(args, shutdown.Token);

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    shutdown.Cancel();
}
