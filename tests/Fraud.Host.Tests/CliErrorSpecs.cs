namespace Fraud.Host.Tests;

/// <summary>Bad configuration ends with one clear line and a non-zero exit, never a stack trace.</summary>
public sealed class CliErrorSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(new[] { "--bogus" }, "--bogus")]
    [InlineData(new[] { "demo", "--rate", "fast" }, "fast")]
    [InlineData(new[] { "broker", "--port", "70000" }, "--port must be between 1 and 65535")]
    [InlineData(new[] { "demo", "--rate", "-5" }, "--rate must be positive")]
    [InlineData(new[] { "topic", "read", "queueing.transactions", "--bootstrap", "127.0.0.1:1" }, "cannot reach Kafka at 127.0.0.1:1")]
    [InlineData(new[] { "detect", "--bootstrap", "127.0.0.1:1" }, "cannot reach Kafka at 127.0.0.1:1")]
    [InlineData(new[] { "detect", "--urls", "http://0.0.0.0:0" }, "http://0.0.0.0:0 is not a loopback address and Dashboard:Token is not set")]
    [InlineData(new[] { "demo", "--urls", "http://0.0.0.0:0" }, "http://0.0.0.0:0 is not a loopback address and Dashboard:Token is not set")]
    public async Task Should_fail_with_one_clear_line(string[] args, string expected)
    {
        var run = await FraudProcess.RunAsync("fraud.dll", args, Patience);

        Assert.NotEqual(0, run.ExitCode);
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task Should_say_in_one_line_that_the_dashboard_port_is_taken()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var run = await FraudProcess.RunAsync("fraud.dll", ["demo", "--duration", "1", "--urls", $"http://127.0.0.1:{port}"], Patience);

        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: dashboard: cannot listen on http://127.0.0.1:{port}", line);
        Assert.DoesNotContain("   at ", run.Stdout + run.Stderr);
    }

    [Theory]
    [InlineData("Limits__MaxRecordBytes", "1", "Limits:MaxRecordBytes must be at least 64")]
    [InlineData("Dashboard__Token", "short", "Dashboard:Token must be at least 16 characters")]
    public async Task Should_name_the_setting_out_of_range_in_one_line(string name, string value, string expected)
    {
        var run = await FraudProcess.RunAsync("fraud.dll", ["demo", "--duration", "1"], Patience, new Dictionary<string, string> { [name] = value });

        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"error: {expected}", line[..(expected.Length + 7)]);
    }
}
