using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fraud.Host.Tests;

/// <summary>Runs the real <c>fraud</c> program (and the generator) as child processes, as users do.</summary>
public sealed class FraudProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<(string Text, TaskCompletionSource<string> Line)> _waiters = new();

    private FraudProcess(Process process) => _process = process;

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    public int ExitCode => _process.ExitCode;

    /// <param name="netns">A network namespace to run in (<c>ip netns exec</c>, which becomes the program: its PID is ours).</param>
    public static FraudProcess Start(string program, IEnumerable<string> args, IDictionary<string, string>? env = null, string? netns = null)
    {
        var info = new ProcessStartInfo(netns is null ? "dotnet" : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        if (netns is not null)
        {
            foreach (var arg in new[] { "netns", "exec", netns, "dotnet" })
            {
                info.ArgumentList.Add(arg);
            }
        }

        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, program));
        // Processes run side by side in the specs: each dashboard on a free port, and each process its own checkpoint
        // file (one deployment), unless a spec says otherwise. Unrelated specs sharing one store and consumer group
        // would claim each other's partitions.
        info.Environment["Dashboard__Urls"] = "http://127.0.0.1:0";
        info.Environment["Checkpoints__ConnectionString"] = $"Data Source={NewCheckpointFile()}";
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        var wrapper = new FraudProcess(process);
        process.OutputDataReceived += (_, e) => wrapper.OnLine(e.Data, wrapper._stdout);
        process.ErrorDataReceived += (_, e) => wrapper.OnLine(e.Data, wrapper._stderr);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return wrapper;
    }

    /// <summary>Runs to the end (or kills it after <paramref name="timeout"/> and fails).</summary>
    public static async Task<FraudProcess> RunAsync(string program, IEnumerable<string> args, TimeSpan timeout, IDictionary<string, string>? env = null)
    {
        var process = Start(program, args, env);
        await process.WaitForExitAsync(timeout);
        return process;
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            _process.WaitForExit(); // flushes the redirected streams
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"process did not exit within {timeout}; stdout:\n{Stdout}\nstderr:\n{Stderr}");
        }
    }

    /// <summary>Waits for a line of standard output that contains <paramref name="text"/>.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout)
    {
        var waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_stdout)
        {
            var existing = _stdout.ToString().Split('\n').FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (existing is not null)
            {
                return existing;
            }

            _waiters.Add((text, waiter));
        }

        try
        {
            return await waiter.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no line with '{text}' within {timeout}; stdout:\n{Stdout}\nstderr:\n{Stderr}");
        }
    }

    /// <summary>The dashboard's address, from the start-up line <c>dashboard: http://...</c>.</summary>
    public async Task<string> DashboardUrlAsync(TimeSpan timeout)
    {
        var line = await WaitForLineAsync("dashboard: http", timeout);
        return line[(line.IndexOf("http", StringComparison.Ordinal))..].Trim();
    }

    /// <summary>SIGKILL: the node dies on the spot, as in a crash or an OOM kill.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>SIGTERM, as a container runtime sends it.</summary>
    public void Terminate()
    {
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString()])!.WaitForExit();
        }
    }

    /// <summary>Sends the named signal (<c>WINCH</c>, <c>HUP</c>, …) as <c>kill -NAME</c> would.</summary>
    public void Signal(string name) => Process.Start("kill", ["-" + name, _process.Id.ToString()])!.WaitForExit();

    /// <summary>SIGSTOP (<paramref name="stop"/>) or SIGCONT: the process freezes, as a stalled host or a long GC would, and goes on.</summary>
    public void Freeze(bool stop) => Process.Start("kill", [stop ? "-STOP" : "-CONT", _process.Id.ToString()])!.WaitForExit();

    /// <summary>The checkout the tests run from (the folder holding Fraud.sln), where specs leave screenshots and figures.</summary>
    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Fraud.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Fraud.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A fresh SQLite checkpoint file name, for the processes of one deployment to share.</summary>
    public static string NewCheckpointFile() => Path.Combine(Path.GetTempPath(), $"fraud-spec-{Guid.NewGuid():N}.db");

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private void OnLine(string? line, StringBuilder into)
    {
        if (line is null)
        {
            return;
        }

        lock (_stdout)
        {
            lock (_stderr)
            {
                into.AppendLine(line);
            }

            if (into == _stdout)
            {
                foreach (var waiter in _waiters.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
                {
                    waiter.Line.TrySetResult(line);
                    _waiters.Remove(waiter);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Terminate();
            try
            {
                await WaitForExitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
            }
        }

        _process.Dispose();
    }
}
