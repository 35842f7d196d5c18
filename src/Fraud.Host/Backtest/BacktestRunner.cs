using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Fraud.Actors.Backtest;
using Fraud.Actors.Rules.Catalog;
using Fraud.Actors.Rules.Compiler;
using Fraud.Actors.Rules.Language;
using Fraud.Actors.Transactions;
using Fraud.Host.Configuration;
using Fraud.Host.Hosting;
using Fraud.Host.Rules;

namespace Fraud.Host.Backtest;

/// <summary>What <c>fraud rules backtest</c> was asked.</summary>
/// <param name="Candidate">A rule file, or <c>live</c> (the rule topics' set).</param>
/// <param name="Baseline">A rule file, <c>live</c>, or <c>none</c>.</param>
public sealed record BacktestOptions(string Candidate, string Baseline, string? Input, string? Topic, TimeSpan? Since, string? Labels, string? Output);

/// <summary>
/// <c>fraud rules backtest</c>: the history scored under a baseline and a candidate rule set, each from empty state,
/// and the two compared against the labels: per rule, totals, the flips between them, every verdict to a file on
/// request, and a closing <c>backtest: {json}</c> line. Writes nothing to Kafka.
/// </summary>
public static class BacktestRunner
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never };

    public static int Run(BacktestOptions options, FraudSettings settings, TextWriter output, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var candidate = Pack(options.Candidate, settings) ?? throw new StartupException("--candidate is a rule file or 'live', not 'none'");
        var baseline = Pack(options.Baseline, settings);
        var names = (candidate.Fields?.Names ?? []).Concat(baseline?.Fields?.Names ?? []).Distinct(StringComparer.Ordinal).ToList();
        var fields = names.Count == 0 ? null : new InputFields(names); // each rule set reads its fields by name from these
        var labels = options.Labels switch
        {
            null => null,
            "decisions" => BacktestInputs.Decisions(settings.Kafka, settings.Topics.Decisions, cancel),
            var csv => BacktestInputs.Labels(csv),
        };
        var history = options.Input is { } input ? BacktestInputs.FromFile(input, settings, fields, labels)
            : options.Topic is { } topic ? BacktestInputs.FromTopic(settings.Kafka, topic, options.Since, settings, fields, labels, cancel)
            : throw new StartupException("a backtest reads --input FILE.jsonl or --topic T (with --from-beginning or --since 24h)");
        if (options.Labels == "decisions")
        {
            history = history with { Labels = "decisions" }; // only the reviews analysts decided are labelled
        }

        var read = clock.Elapsed;
        var records = Backtester.InEventTimeOrder(history.Records);
        var progress = Progress(records.Length);
        var scoring = Stopwatch.StartNew();
        var baselineVerdicts = baseline is null ? null : Backtester.Score(records, baseline, settings.Rules, n => progress("baseline", n));
        var candidateVerdicts = Backtester.Score(records, candidate, settings.Rules, n => progress("candidate", n));
        var scored = scoring.Elapsed;
        var result = BacktestResult.Of(records, baselineVerdicts, candidateVerdicts, candidate.Definitions.Where(d => d.Enabled).Select(d => (d.Id, RuleRecord.ModeText(d.Mode))));
        if (options.Output is { } path)
        {
            BacktestOutput.Write(path, records, baselineVerdicts, candidateVerdicts);
        }

        BacktestOutput.Print(output, result, options);
        var perSecond = scored.TotalSeconds > 0 ? Math.Round(records.Length * (baseline is null ? 1 : 2) / scored.TotalSeconds) : 0;
        output.WriteLine($"backtest: {JsonSerializer.Serialize(new
        {
            candidate = options.Candidate,
            baseline = options.Baseline,
            labels = history.Labels,
            deadLetters = history.DeadLetters,
            result,
            seconds = new { read = Math.Round(read.TotalSeconds, 2), scored = Math.Round(scored.TotalSeconds, 2) },
            transactionsPerSecond = perSecond,
        }, Json)}");
        return 0;
    }

    /// <summary>A rule set by name: a file, the rule topics' (<c>live</c>), or none.</summary>
    private static CompiledRules? Pack(string which, FraudSettings settings)
    {
        if (which.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (which.Equals("live", StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrWhiteSpace(settings.Kafka.BootstrapServers))
            {
                throw new StartupException("'live' is the rule topics' set: pass --bootstrap HOST:PORT or set Kafka__BootstrapServers");
            }

            var catalog = new CatalogChanges(settings.Kafka, settings, null).Read();
            try
            {
                return catalog.Compile(RuleFiles.RatesDirectory(settings.Rules), settings.Rules.MaxWindow, DateTimeOffset.UtcNow);
            }
            catch (RuleSyntaxException e)
            {
                throw new StartupException($"the live rule set {catalog.Version} does not compile: {e.Message}");
            }
        }

        return RuleFiles.Load(which, settings.Rules.MaxWindow);
    }

    // A line on the terminal that rewrites itself; nothing when standard error is a file or a pipe.
    private static Action<string, int> Progress(int total)
    {
        if (Console.IsErrorRedirected || total == 0)
        {
            return (_, _) => { };
        }

        return (what, done) =>
        {
            var filled = (int)(30L * done / total);
            Console.Error.Write($"\r{what,-9} [{new string('#', filled)}{new string('.', 30 - filled)}] {done.ToString("N0", CultureInfo.InvariantCulture)}/{total.ToString("N0", CultureInfo.InvariantCulture)}{(done == total ? "\n" : "")}");
        };
    }
}
