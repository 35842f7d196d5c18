using System.CommandLine;
using Fraud.Host.Backtest;
using Fraud.Host.Hosting;

namespace Fraud.Host.Cli;

/// <summary><c>fraud rules backtest</c>: a rule change scored against past traffic and its labels before it goes live.</summary>
public static class BacktestCommand
{
    public static Command Create()
    {
        var candidate = new Option<string>("--candidate") { Description = "The rules to test: a rule file, or 'live' (the rule topics' set)", Required = true };
        var baseline = new Option<string?>("--baseline") { Description = "What to compare with: 'live', a rule file, or 'none' (default: live with a broker, else none)" };
        var input = new Option<string?>("--input") { Description = "A JSON Lines file, one input record a line" };
        var topic = new Option<string?>("--topic") { Description = "A topic to read instead (every partition, in no group)" };
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "The topic's whole history" };
        var since = new Option<string?>("--since") { Description = "Only the topic's records of the last 90m, 24h, 7d…" };
        var labels = new Option<string?>("--labels") { Description = "a CSV file of transactionId,is_fraud lines, or decisions (the analysts' decisions in fraud.decisions); default on a topic: the generator's ground-truth header" };
        var output = new Option<string?>("--output") { Description = "Every verdict to this file, both rule sets' side by side, 'changed' where the action flipped" };
        var bootstrap = RulesCommand.BootstrapOption();
        var command = new Command("backtest", "Scores past traffic under a candidate rule set and a baseline, each from empty state, and compares them with the labels: per rule, totals, flips.")
        {
            candidate, baseline, input, topic, fromBeginning, since, labels, output, bootstrap,
        };
        command.SetAction((parse, cancel) =>
        {
            var settings = FraudCli.Settings(parse.GetValue(bootstrap));
            var (file, name, all, back) = (parse.GetValue(input), parse.GetValue(topic), parse.GetValue(fromBeginning), parse.GetValue(since));
            if ((file is null) == (name is null))
            {
                throw new StartupException("a backtest reads one history: --input FILE.jsonl, or --topic T with --from-beginning or --since 24h");
            }

            if (name is not null && all == (back is not null))
            {
                throw new StartupException("a topic is read --from-beginning or --since SPAN (one of the two)");
            }

            var compareWith = parse.GetValue(baseline) ?? (string.IsNullOrWhiteSpace(settings.Kafka.BootstrapServers) ? "none" : "live");
            var options = new BacktestOptions(parse.GetValue(candidate)!, compareWith, file, name, back is null ? null : BacktestInputs.ParseSince(back),
                parse.GetValue(labels), parse.GetValue(output));
            return Task.FromResult(BacktestRunner.Run(options, settings, Console.Out, cancel));
        });
        return command;
    }
}
