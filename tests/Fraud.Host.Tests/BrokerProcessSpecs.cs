namespace Fraud.Host.Tests;

/// <summary><c>fraud broker --port</c> serves other processes: the generator writes, <c>fraud topic read</c> reads.</summary>
public sealed class BrokerProcessSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Should_serve_what_the_generator_wrote_to_a_second_process()
    {
        var (broker, bootstrap) = await StartBrokerAsync();
        await using var _ = broker;

        var generator = await FraudProcess.RunAsync("Fraud.Generator.dll", ["--bootstrap", bootstrap, "--rate", "2000", "--count", "500", "--seed", "9"], Patience);
        Assert.True(generator.ExitCode == 0, generator.Stderr);
        Assert.Contains("\"Produced\":500", generator.Stdout);

        var reader = await FraudProcess.RunAsync("fraud.dll", ["topic", "read", "queueing.transactions", "--from-beginning", "--bootstrap", bootstrap], Patience);
        Assert.True(reader.ExitCode == 0, reader.Stderr);
        var lines = reader.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("count: 500", lines[^1]);
        var records = lines[..^1].Select(l => System.Text.Json.JsonDocument.Parse(l)).ToList();
        Assert.Equal(500, records.Count);
        Assert.Equal(500, records.Select(r => r.RootElement.GetProperty("transactionId").GetString()).Distinct().Count());

        broker.Terminate();
        await broker.WaitForExitAsync(Patience);
        Assert.Equal(0, broker.ExitCode);
        Assert.Contains("broker: stopped", broker.Stdout);
    }
    [Fact]
    public async Task Should_keep_serving_after_being_suspended_and_resumed_and_after_terminal_signals()
    {
        var (broker, bootstrap) = await StartBrokerAsync();
        await using var _ = broker;

        // Ctrl+Z then fg, forty times, and a terminal resized as often: each signal lands on some thread of the process.
        for (var i = 0; i < 40; i++)
        {
            broker.Freeze(stop: true);
            await Task.Delay(50);
            broker.Freeze(stop: false);
            broker.Signal("WINCH");
            await Task.Delay(50);
        }

        var generator = await FraudProcess.RunAsync("Fraud.Generator.dll", ["--bootstrap", bootstrap, "--rate", "2000", "--count", "200", "--seed", "4"], Patience);
        Assert.True(generator.ExitCode == 0, generator.Stderr);
        Assert.Equal(200, KafkaTopics.ReadAll(bootstrap, "queueing.transactions", Patience).Count);
        Assert.DoesNotContain("failed to poll", broker.Stdout + broker.Stderr);
        Assert.False(broker.HasExited, broker.Stderr);
    }

    private static async Task<(FraudProcess Broker, string Bootstrap)> StartBrokerAsync()
    {
        var port = FraudProcess.FreePort();
        var broker = FraudProcess.Start("fraud.dll", ["broker", "--port", port.ToString()]);
        try
        {
            await broker.WaitForLineAsync("broker: listening on", Patience);
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }

        return (broker, $"127.0.0.1:{port}");
    }
}
