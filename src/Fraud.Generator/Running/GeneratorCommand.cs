using Fraud.Actors.Contracts;
using System.CommandLine;
using System.Text.Json;
using Fraud.Kafka.Producing;
using Fraud.Generator.Transactions;
using Fraud.Kafka.Settings;

namespace Fraud.Generator.Running;

/// <summary>
/// The generator's own command line: <c>--bootstrap HOST:PORT --rate N --count N --seed S</c> to write to Kafka, or
/// <c>--output FILE.jsonl [--labels FILE.csv]</c> to write a history for a backtest.
/// </summary>
public static class GeneratorCommand
{
    public static RootCommand Create()
    {
        var bootstrap = new Option<string?>("--bootstrap") { Description = "Kafka bootstrap servers (unless --output)" };
        var topic = new Option<string>("--topic") { Description = "Topic to write", DefaultValueFactory = _ => TopicNames.Input };
        var rate = new Option<double>("--rate") { Description = "Messages per second", DefaultValueFactory = _ => 1000 };
        var count = new Option<long?>("--count") { Description = "Stop after N messages (default: until Ctrl+C)" };
        var seed = new Option<int?>("--seed") { Description = "Seed for a reproducible stream" };
        var accounts = new Option<int>("--accounts") { Description = "Account population", DefaultValueFactory = _ => 10_000 };
        var fraudShare = new Option<double>("--fraud-share") { Description = "Share of messages in fraud scenarios", DefaultValueFactory = _ => 0.02 };
        var traffic = TrafficOption();
        var output = new Option<string?>("--output") { Description = "Write a JSON Lines history to this file instead of Kafka, event times simulated at --rate" };
        var labels = new Option<string?>("--labels") { Description = "With --output: write transactionId,is_fraud for every transaction to this CSV file" };
        var start = new Option<DateTimeOffset?>("--start") { Description = "With --output: the first event time (default: so that the history ends now)" };
        var root = new RootCommand("Writes synthetic card transactions, with labelled fraud scenarios, to Kafka or to a file.")
        {
            bootstrap, topic, rate, count, seed, accounts, fraudShare, traffic, output, labels, start,
        };
        root.SetAction(async (parse, cancel) =>
        {
            var options = new GeneratorOptions
            {
                Topic = parse.GetValue(topic)!,
                Rate = parse.GetValue(rate),
                Count = parse.GetValue(count),
                Seed = parse.GetValue(seed),
                Accounts = parse.GetValue(accounts),
                FraudShare = parse.GetValue(fraudShare),
                Traffic = parse.GetValue(traffic),
            };
            if (parse.GetValue(output) is { } file)
            {
                return await ToFileAsync(options, file, parse.GetValue(labels), parse.GetValue(start));
            }

            if (parse.GetValue(bootstrap) is not { Length: > 0 } servers)
            {
                await Console.Error.WriteLineAsync("error: --bootstrap HOST:PORT is needed to write to Kafka (or --output FILE to write a file)");
                return 2;
            }

            return await RunAsync(new KafkaSettings { BootstrapServers = servers }, options, cancel);
        });
        return root;
    }

    /// <summary><c>--traffic realistic|clean</c>, for the generator and the demo.</summary>
    public static Option<Traffic> TrafficOption() => new("--traffic")
    {
        Description = "realistic (legit cards that buy big, travel and tap; fraud that stays under thresholds) or clean (only what the default rules detect)",
        DefaultValueFactory = _ => Traffic.Realistic,
    };

    private static async Task<int> ToFileAsync(GeneratorOptions options, string file, string? labels, DateTimeOffset? start)
    {
        if (options.Rate <= 0)
        {
            await Console.Error.WriteLineAsync("error: --rate must be positive");
            return 2;
        }

        try
        {
            var first = start ?? DateTimeOffset.UtcNow - TimeSpan.FromSeconds((options.Count ?? 0) / options.Rate);
            var stats = HistoryFile.Write(options, file, labels, first);
            Console.WriteLine("generated: " + JsonSerializer.Serialize(stats));
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 2;
        }
    }

    /// <summary>Runs the generator and prints its stats as one JSON line; one clear line on bad input.</summary>
    public static async Task<int> RunAsync(KafkaSettings kafka, GeneratorOptions options, CancellationToken cancel)
    {
        if (options.Rate <= 0)
        {
            await Console.Error.WriteLineAsync("error: --rate must be positive");
            return 2;
        }

        try
        {
            using var producer = KafkaProducer.Create(kafka, message => Console.Error.WriteLine(message));
            var stats = await new GeneratorRunner(producer, options).RunAsync(cancel);
            Console.WriteLine("generated: " + JsonSerializer.Serialize(stats));
            return stats.DeliveryErrors == 0 ? 0 : 1;
        }
        catch (Exception e) when (e is ArgumentException or Confluent.Kafka.KafkaException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 2;
        }
    }
}
