using System.Text.RegularExpressions;

namespace Fraud.Host.Tests;

/// <summary><c>fraud detect</c> as a container runs it: SIGTERM drains, commits and exits; a restart re-scores nothing.</summary>
public sealed partial class DetectorShutdownSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [GeneratedRegex(@"legit (\d+) fraud (\d+) dead-letter (\d+) partitions (\d+)")]
    private static partial Regex Status();

    [Fact]
    public async Task Should_stop_gracefully_on_sigterm_with_everything_committed()
    {
        var port = FraudProcess.FreePort();
        await using var broker = FraudProcess.Start("fraud.dll", ["broker", "--port", port.ToString()]);
        await broker.WaitForLineAsync("broker: listening on", Patience);
        var env = new Dictionary<string, string>
        {
            ["Kafka__BootstrapServers"] = $"127.0.0.1:{port}",
            ["Kafka__Consumer__fetch.wait.max.ms"] = "10",
            ["Kafka__Consumer__session.timeout.ms"] = "6000",
            // One deployment: the restarted node restores what the first one checkpointed.
            ["Checkpoints__ConnectionString"] = $"Data Source={FraudProcess.NewCheckpointFile()}",
        };
        var generator = await FraudProcess.RunAsync("Fraud.Generator.dll", ["--bootstrap", $"127.0.0.1:{port}", "--rate", "5000", "--count", "2000", "--seed", "4", "--accounts", "50000"], Patience);
        Assert.True(generator.ExitCode == 0, generator.Stderr);

        await using (var first = FraudProcess.Start("fraud.dll", ["detect"], env))
        {
            await first.WaitForLineAsync("legit", Patience);
            await WaitForScoredAsync(first, 2000);
            first.Terminate();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
            Assert.Contains("detector: stopping", first.Stdout);
            Assert.DoesNotContain("error", first.Stderr);
        }

        // A new node takes all partitions from the committed offsets: nothing is scored twice.
        await using var second = FraudProcess.Start("fraud.dll", ["detect"], env);
        await second.WaitForLineAsync("partitions 12", Patience);
        await Task.Delay(TimeSpan.FromSeconds(3));
        second.Terminate();
        await second.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var last = Status().Matches(second.Stdout).Last();
        Assert.Equal("0", last.Groups[1].Value);
        Assert.Equal("0", last.Groups[2].Value);
    }

    private static async Task WaitForScoredAsync(FraudProcess process, int expected)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            var matches = Status().Matches(process.Stdout);
            if (matches.Count > 0)
            {
                var m = matches[^1];
                if (long.Parse(m.Groups[1].Value) + long.Parse(m.Groups[2].Value) + long.Parse(m.Groups[3].Value) >= expected)
                {
                    return;
                }
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"not all {expected} scored; stdout:\n{process.Stdout}");
    }
}
