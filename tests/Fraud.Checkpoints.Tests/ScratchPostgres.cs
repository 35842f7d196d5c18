using System.Diagnostics;

namespace Fraud.Checkpoints.Tests;

/// <summary>
/// A throw-away PostgreSQL server from Debian's packages (scripts/test.sh installs them): initdb into a temporary
/// folder, started on a free loopback port, removed on dispose. As root it runs as the <c>postgres</c> user, since
/// PostgreSQL refuses to run as root.
/// </summary>
public sealed class ScratchPostgres : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fraud-pg-" + Guid.NewGuid().ToString("N")[..8]);
    private string _bin = "";

    public int Port { get; } = FreePort();

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=true;Timeout=15";

    public async Task InitializeAsync()
    {
        var initdb = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin", "initdb")).FirstOrDefault(File.Exists)
            : null;
        Assert.True(initdb is not null, "PostgreSQL is not installed (scripts/test.sh installs Debian's postgresql)");
        _bin = Path.GetDirectoryName(initdb)!;
        Directory.CreateDirectory(_dir);
        if (IsRoot)
        {
            await RunAsync("chown", ["postgres:postgres", _dir]);
        }

        await RunAsPostgresAsync(Path.Combine(_bin, "initdb"), ["-D", _dir, "-A", "trust", "-U", "postgres", "--no-sync"]);
        await RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"),
            ["-D", _dir, "-l", Path.Combine(_dir, "server.log"), "-w", "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start"]);
    }

    public async Task DisposeAsync()
    {
        try
        {
            await RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), ["-D", _dir, "-m", "immediate", "stop"]);
        }
        finally
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static Task RunAsPostgresAsync(string program, string[] args) =>
        IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", program, .. args]) : RunAsync(program, args);

    private static async Task RunAsync(string program, string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)}: {await output}{await error}");
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
