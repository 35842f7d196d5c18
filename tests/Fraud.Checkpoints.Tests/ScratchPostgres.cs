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
    private readonly string _listen;
    private readonly string? _netns;
    private string _bin = "";

    public ScratchPostgres()
        : this("127.0.0.1", null)
    {
    }

    // xunit makes a fixture through its single public constructor: the namespaced kind comes from InNamespace.
    private ScratchPostgres(string listen, string? netns)
    {
        (_listen, _netns) = (listen, netns);
        Port = netns is null ? FreePort() : 5432;
    }

    /// <summary>A server listening on <paramref name="listen"/> inside the network namespace <paramref name="netns"/>.</summary>
    public static ScratchPostgres InNamespace(string listen, string netns) => new(listen, netns);

    public int Port { get; }

    public string ConnectionString => $"Host={_listen};Port={Port};Username=postgres;Database=postgres;Pooling=true;Timeout=15";

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
        if (_netns is not null)
        {
            // The other test hosts connect from their own addresses.
            await File.AppendAllTextAsync(Path.Combine(_dir, "pg_hba.conf"), "host all all 0.0.0.0/0 trust\n");
        }

        await RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"),
            ["-D", _dir, "-l", Path.Combine(_dir, "server.log"), "-w", "-o", $"-p {Port} -k {_dir} -c listen_addresses={_listen} -c fsync=off", "start"]);
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

    private Task RunAsPostgresAsync(string program, string[] args)
    {
        string[] command = IsRoot ? ["runuser", "-u", "postgres", "--", program, .. args] : [program, .. args];
        return _netns is null ? RunAsync(command[0], command[1..]) : RunAsync("ip", ["netns", "exec", _netns, .. command]);
    }

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
