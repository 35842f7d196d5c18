using Fraud.Actors.Contracts;
using System.CommandLine;
using System.Text.Json;
using Fraud.Kafka.Producing;
using Fraud.Kafka.Settings;

namespace Fraud.Generator.Running;

/// <summary>The generator's own command line: <c>--bootstrap HOST:PORT --rate N --count N --seed S</c>.</summary>
public static class GeneratorCommand
{
    public static RootCommand Create()
    {
        var bootstrap = new Option<string>("--bootstrap") { Description = "Kafka bootstrap servers", Required = true };
        var topic = new Option<string>("--topic") { Description = "Topic to write", DefaultValueFactory = _ => TopicNames.Input };
        var rate = new Option<double>("--rate") { Description = "Messages per second", DefaultValueFactory = _ => 1000 };
        var count = new Option<long?>("--count") { Description = "Stop after N messages (default: until Ctrl+C)" };
        var seed = new Option<int?>("--seed") { Description = "Seed for a reproducible stream" };
        var accounts = new Option<int>("--accounts") { Description = "Account population", DefaultValueFactory = _ => 10_000 };
        var fraudShare = new Option<double>("--fraud-share") { Description = "Share of messages in fraud scenarios", DefaultValueFactory = _ => 0.02 };
        var root = new RootCommand("Writes synthetic card transactions, with labelled fraud scenarios, to Kafka.")
        {
            bootstrap, topic, rate, count, seed, accounts, fraudShare,
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
            };
            return await RunAsync(new KafkaSettings { BootstrapServers = parse.GetValue(bootstrap) }, options, cancel);
        });
        return root;
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
