using System.CommandLine;
using Confluent.Kafka;
using Fraud.Generator.Running;
using Fraud.Host.Configuration;
using Fraud.Host.Dashboard;
using Fraud.Host.Demo;
using Fraud.Host.Hosting;
using Fraud.Host.Replay;
using Fraud.Host.Topics;
using Fraud.Kafka.Admin;
using Fraud.Kafka.Embedded;

namespace Fraud.Host.Cli;

/// <summary>The <c>fraud</c> command line: demo, broker, detect, topic read, replay, rules, lists.</summary>
public static class FraudCli
{
    /// <summary>Parses and runs; user errors end as one <c>error: ...</c> line and exit code 2.</summary>
    public static async Task<int> RunAsync(string[] args, CancellationToken cancel)
    {
        var root = Create();
        var parse = root.Parse(args.Length == 0 ? ["demo"] : args);
        if (parse.Errors.Count > 0)
        {
            await Console.Error.WriteLineAsync($"error: {string.Join("; ", parse.Errors.Select(e => e.Message))} (see 'fraud --help')");
            return 2;
        }

        try
        {
            // Our own handler below turns user errors into one line; signals are handled in Program.
            var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
            return await parse.InvokeAsync(invocation, cancel);
        }
        catch (Exception e) when (e is StartupException or KafkaException or InvalidOperationException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 2;
        }
    }

    public static RootCommand Create()
    {
        var root = new RootCommand("Fraud: real-time fraud detection on Kafka and Akka.NET. With no command, runs the demo until Ctrl+C.");
        root.Subcommands.Add(Demo());
        root.Subcommands.Add(Broker());
        root.Subcommands.Add(Detect());
        root.Subcommands.Add(Topic());
        root.Subcommands.Add(Replay());
        root.Subcommands.Add(RulesCommand.Create());
        root.Subcommands.Add(ListsCommand.Create());
        return root;
    }

    private static Command Demo()
    {
        var rate = new Option<double>("--rate") { Description = "Transactions per second", DefaultValueFactory = _ => 1000 };
        var duration = new Option<double?>("--duration") { Description = "Seconds to generate (default: until Ctrl+C)" };
        var seed = new Option<int?>("--seed") { Description = "Seed of the generated stream" };
        var accounts = new Option<int>("--accounts") { Description = "Account population", DefaultValueFactory = _ => 50_000 };
        var fraudShare = new Option<double>("--fraud-share") { Description = "Share of traffic in fraud scenarios", DefaultValueFactory = _ => 0.02 };
        var keepOpen = new Option<bool>("--keep-open") { Description = "After the summary, keep the dashboard and /metrics up until Ctrl+C" };
        var traffic = GeneratorCommand.TrafficOption();
        var urls = UrlsOption();
        var command = new Command("demo", "Embedded broker + generator + detector in one process, with a dashboard, a status line every second and a summary.")
        {
            rate, duration, seed, accounts, fraudShare, traffic, keepOpen, urls,
        };
        command.SetAction(async (parse, cancel) =>
        {
            var settings = FraudSettings.Bind(FraudSettings.LoadConfiguration(UrlsOverride(parse.GetValue(urls))));
            settings.Rules.UsePack(RuleFiles.Load(settings.Rules)); // a rule file with a mistake stops here, before anything starts
            settings.Generator.Rate = Positive(parse.GetValue(rate), "--rate");
            settings.Generator.Seed = parse.GetValue(seed);
            settings.Generator.Accounts = parse.GetValue(accounts);
            settings.Generator.FraudShare = parse.GetValue(fraudShare);
            settings.Generator.Traffic = parse.GetValue(traffic);
            settings.Generator.Topic = settings.Topics.Input;
            RefuseAnOpenDashboard(settings);
            var seconds = parse.GetValue(duration);
            return await DemoRunner.RunAsync(settings, seconds is null ? null : TimeSpan.FromSeconds(Positive(seconds.Value, "--duration")), parse.GetValue(keepOpen), cancel);
        });
        return command;
    }

    private static Command Broker()
    {
        var port = new Option<int>("--port") { Description = "Port to listen on", DefaultValueFactory = _ => 19092 };
        var host = new Option<string>("--host") { Description = "Address to listen on and advertise (a test host's own, in a network namespace)", DefaultValueFactory = _ => "127.0.0.1" };
        var command = new Command("broker", "Runs the embedded Kafka-protocol broker on a fixed port, with the default topics, until Ctrl+C or SIGTERM.") { port, host };
        command.SetAction(async (parse, cancel) =>
        {
            var value = parse.GetValue(port);
            if (value is < 1 or > 65535)
            {
                throw new ArgumentException($"--port must be between 1 and 65535, not {value}");
            }

            var settings = FraudSettings.Bind(FraudSettings.LoadConfiguration());
            if (!System.Net.IPAddress.TryParse(parse.GetValue(host), out _))
            {
                throw new ArgumentException($"--host is an IP address, not '{parse.GetValue(host)}'");
            }

            using var broker = KafkaConnection.StartEmbedded(settings.Topics, value, parse.GetValue(host)!);

            Console.WriteLine($"broker: listening on {broker.BootstrapServers} with topics {string.Join(", ", settings.Topics.All.Select(t => $"{t} ({settings.Topics.PartitionsOf(t)})"))}");
            Console.WriteLine("broker: for trying the product and for tests only; about 5 MiB kept per partition, nothing persisted. Ctrl+C stops it.");
            try
            {
                await Task.Delay(Timeout.Infinite, cancel);
            }
            catch (OperationCanceledException)
            {
            }

            Console.WriteLine("broker: stopped");
            return 0;
        });
        return command;
    }

    private static Command Detect()
    {
        var bootstrap = new Option<string?>("--bootstrap") { Description = "Kafka bootstrap servers (overrides Kafka:BootstrapServers)" };
        var urls = UrlsOption();
        var command = new Command("detect", "Runs a detector node: consumes the input topic, scores, writes legit/fraud/dead-letter, commits; serves the dashboard.") { bootstrap, urls };
        command.SetAction(async (parse, cancel) =>
        {
            var settings = Settings(parse.GetValue(bootstrap), parse.GetValue(urls));
            settings.Rules.UsePack(RuleFiles.Load(settings.Rules));
            RefuseAnOpenDashboard(settings);
            using var kafka = await KafkaConnection.OpenAsync(settings);
            DetectorNode node;
            try
            {
                node = await DetectorNode.StartAsync(settings, kafka, cancel);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                Console.WriteLine("detector: stopped before it joined the cluster");
                return 0;
            }

            Console.WriteLine($"detector: node {settings.NodeName} consuming {settings.Topics.Input} from {kafka.Settings.BootstrapServers}{(kafka.IsEmbedded ? " (embedded broker)" : "")}");
            var started = DateTimeOffset.UtcNow;
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            try
            {
                while (await timer.WaitForNextTickAsync(cancel) && !node.Pipeline.Completion.IsCompleted && !node.LeftCluster)
                {
                    var s = node.Stats;
                    Console.WriteLine($"[{(DateTimeOffset.UtcNow - started).TotalSeconds,6:F1}s] legit {s.Legit} fraud {s.Fraud} review {s.Review} dead-letter {s.DeadLetter} partitions {node.Pipeline.Session.Assignment.Count}");
                }
            }
            catch (OperationCanceledException)
            {
            }

            var failure = node.LeftCluster
                ? "this node is no longer a member of the cluster (the others downed it, or it downed itself when it lost them): restart it to rejoin"
                : node.Pipeline.Completion.IsFaulted ? node.Pipeline.Completion.Exception!.GetBaseException().Message : null;
            Console.WriteLine("detector: stopping (draining, committing, leaving the cluster)");
            await node.DisposeAsync();
            if (failure is not null)
            {
                await Console.Error.WriteLineAsync($"error: detector stopped: {failure}");
                return 1;
            }

            return 0;
        });
        return command;
    }

    private static Command Topic()
    {
        var name = new Argument<string>("topic") { Description = "Topic to read" };
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "Read the whole topic, then stop" };
        var bootstrap = new Option<string?>("--bootstrap") { Description = "Kafka bootstrap servers (overrides Kafka:BootstrapServers)" };
        var read = new Command("read", "Prints a topic's records, one JSON per line, then a count.") { name, fromBeginning, bootstrap };
        read.SetAction((parse, cancel) =>
        {
            var settings = Settings(parse.GetValue(bootstrap));
            if (string.IsNullOrWhiteSpace(settings.Kafka.BootstrapServers))
            {
                throw new StartupException("no broker to read from: pass --bootstrap HOST:PORT or set Kafka__BootstrapServers (start one with 'fraud broker')");
            }

            if (KafkaProbe.Check(settings.Kafka, TimeSpan.FromSeconds(10)) is { } problem)
            {
                throw new StartupException(problem);
            }

            return Task.FromResult(TopicReader.Read(settings.Kafka, parse.GetValue(name)!, parse.GetValue(fromBeginning), Console.Out, cancel));
        });
        return new Command("topic", "Topic tools.") { read };
    }

    private static Command Replay()
    {
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "Replay the whole topic (required: replay always starts at the beginning)" };
        var topic = new Option<string?>("--topic") { Description = "Topic to replay (default: Topics:Input)" };
        var output = new Option<string?>("--output") { Description = "Write the verdicts to this file instead of standard output" };
        var bootstrap = new Option<string?>("--bootstrap") { Description = "Kafka bootstrap servers (overrides Kafka:BootstrapServers)" };
        var rules = new Option<string?>("--rules") { Description = "Score with this rule file instead of Fraud:Rules:File (a backtest of changed rules)" };
        var command = new Command("replay", "Scores a topic's whole history in this process (no cluster, no failures) and prints one verdict per line.")
        {
            fromBeginning, topic, output, bootstrap, rules,
        };
        command.SetAction(async (parse, cancel) =>
        {
            if (!parse.GetValue(fromBeginning))
            {
                throw new ArgumentException("replay reads a topic from its beginning: pass --from-beginning");
            }

            var settings = Settings(parse.GetValue(bootstrap));
            if (parse.GetValue(rules) is { } rulesFile)
            {
                settings.Rules.File = rulesFile;
            }

            // Before the broker: a rule file with a mistake is its one line, whatever else is wrong.
            settings.Rules.UsePack(RuleFiles.Load(settings.Rules));
            if (string.IsNullOrWhiteSpace(settings.Kafka.BootstrapServers))
            {
                throw new StartupException("no broker to replay from: pass --bootstrap HOST:PORT or set Kafka__BootstrapServers");
            }

            if (KafkaProbe.Check(settings.Kafka, TimeSpan.FromSeconds(10)) is { } problem)
            {
                throw new StartupException(problem);
            }

            var name = parse.GetValue(topic) ?? settings.Topics.Input;
            if (parse.GetValue(output) is not { } path)
            {
                return ReplayRunner.Run(settings, settings.Kafka, name, Console.Out, cancel);
            }

            await using var file = new StreamWriter(path);
            return ReplayRunner.Run(settings, settings.Kafka, name, file, cancel);
        });
        return command;
    }

    internal static FraudSettings Settings(string? bootstrap, string? urls = null)
    {
        var overrides = new Dictionary<string, string?>(UrlsOverride(urls));
        if (bootstrap is not null)
        {
            overrides["Kafka:BootstrapServers"] = bootstrap;
        }

        return FraudSettings.Bind(FraudSettings.LoadConfiguration(overrides));
    }

    /// <summary>Before anything starts: a dashboard open to the network with no token is refused in one line.</summary>
    private static void RefuseAnOpenDashboard(FraudSettings settings)
    {
        if (DashboardSecurity.Problem(settings.Dashboard) is { } problem)
        {
            throw new StartupException(problem);
        }
    }

    private static Option<string?> UrlsOption() =>
        new("--urls") { Description = "Where the dashboard, /metrics and /ready listen (overrides Dashboard:Urls; port 0 picks one)" };

    private static Dictionary<string, string?> UrlsOverride(string? urls) =>
        urls is null ? new() : new() { ["Dashboard:Urls"] = urls };

    private static double Positive(double value, string option) =>
        value > 0 ? value : throw new ArgumentException($"{option} must be positive, not {value}");
}
