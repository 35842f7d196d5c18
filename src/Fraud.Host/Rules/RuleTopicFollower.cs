using Confluent.Kafka;
using Fraud.Actors.Rules;
using Fraud.Actors.Rules.Catalog;
using Fraud.Actors.Rules.Compiler;
using Fraud.Actors.Rules.Language;
using Fraud.Host.Topics;
using Fraud.Host.Configuration;
using Fraud.Host.Hosting;
using Fraud.Host.Metrics;
using Fraud.Kafka.Settings;
using Microsoft.Extensions.Logging;

namespace Fraud.Host.Rules;

/// <summary>
/// Keeps a node's rules those of the rule and list topics: read whole before the node scores anything (an empty rule
/// topic is first seeded from the rule file), then followed on a thread of its own. Each change is compiled there, off
/// the scoring path, and swapped in whole (<see cref="RuleSettings.UsePack"/>); partitions take it at their next
/// group. A rule set that does not compile is refused: the node keeps the one it runs and says so (log, metric,
/// <see cref="Problem"/>), and never stops for it.
/// </summary>
public sealed class RuleTopicFollower : IAsyncDisposable
{
    private readonly CatalogConsumer _consumer;
    private readonly RuleSettings _rules;
    private readonly string? _ratesDirectory;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;
    private RuleSetVersion? _refused;
    private DateTimeOffset? _recompileAt;

    private RuleTopicFollower(CatalogConsumer consumer, RuleSettings rules, string? ratesDirectory, ILogger log)
    {
        (_consumer, _rules, _ratesDirectory, _log) = (consumer, rules, ratesDirectory, log);
    }

    /// <summary>Why the latest rule set was refused (null when the node runs the latest).</summary>
    public string? Problem { get; private set; }

    public RuleCatalog Catalog => _consumer.Catalog;

    /// <summary>Reads the topics, seeding them when the rule topic is empty, and applies their rule set; then follows them.</summary>
    public static RuleTopicFollower Start(KafkaSettings kafka, FraudSettings settings, ILogger log, CancellationToken cancel)
    {
        var consumer = new CatalogConsumer(kafka, settings.Topics.Rules, settings.Topics.Lists);
        var file = RuleFiles.Resolve(settings.Rules.File);
        var follower = new RuleTopicFollower(consumer, settings.Rules, RuleFiles.RatesDirectory(settings.Rules), log);
        try
        {
            if (!consumer.ReadToEnd(TimeSpan.FromSeconds(30), cancel))
            {
                throw new StartupException($"could not read {settings.Topics.Rules} and {settings.Topics.Lists} to their end within 30 s");
            }

            if (consumer.Catalog.Version.Rules == 0)
            {
                // Two nodes seeding at once write the same records twice: harmless, the latest of each key is the same.
                var seeded = Seed(kafka, settings, file);
                log.LogInformation("seeded {Topic} with the {Count} rules of {File}", settings.Topics.Rules, seeded, file);
                consumer.ReadToEnd(TimeSpan.FromSeconds(30), cancel);
            }

            if (!follower.Apply(DateTimeOffset.UtcNow) && !follower.FallBack())
            {
                throw new StartupException($"no rule set of {settings.Topics.Rules} compiles: {follower.Problem}");
            }
        }
        catch
        {
            consumer.Dispose();
            throw;
        }

        follower._thread = new Thread(follower.Follow) { IsBackground = true, Name = "fraud-rule-topics" };
        follower._thread.Start();
        return follower;
    }

    /// <summary>Writes the rule file's rules and lists to the topics; how many rules.</summary>
    public static int Seed(KafkaSettings kafka, FraudSettings settings, string file)
    {
        CatalogSeed.Records records;
        try
        {
            records = CatalogSeed.Of(file, "seed", DateTimeOffset.UtcNow);
        }
        catch (RuleSyntaxException e)
        {
            throw new StartupException(e.Message);
        }

        TopicWriter.Write(kafka,
        [
            .. records.Rules.Select(r => (settings.Topics.Rules, r.Id, (byte[]?)r.Rule.ToJson())),
            .. records.Lists.Select(l => (settings.Topics.Lists, l.Key, (byte[]?)l.Value)),
        ]);
        return records.Rules.Count;
    }

    private void Follow()
    {
        var cancel = _stop.Token;
        while (!cancel.IsCancellationRequested)
        {
            try
            {
                var changed = _consumer.Poll(TimeSpan.FromMilliseconds(100));
                var now = DateTimeOffset.UtcNow;
                if (changed || _recompileAt <= now)
                {
                    Apply(now);
                }
            }
            catch (KafkaException e)
            {
                // The broker is away: the consumer reconnects by itself, and the node goes on with the rules it has.
                _log.LogWarning("reading the rule topics: {Reason}", e.Error.Reason);
                cancel.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            }
        }
    }

    /// <summary>Compiles the catalog and swaps it in; false (the node keeping its rules) when it does not compile.</summary>
    private bool Apply(DateTimeOffset now)
    {
        var catalog = _consumer.Catalog;
        _recompileAt = catalog.NextExpiry(now); // an item's expiry changes the rules without a record
        if (TryCompile(catalog, now) is not { } pack)
        {
            return false;
        }

        var previous = _rules.Pack?.Version;
        _rules.UsePack(pack);
        (Problem, _refused) = (null, null);
        FraudMetrics.RuleSetVersion.WithLabels("rules").Set(pack.Version!.Value.Rules);
        FraudMetrics.RuleSetVersion.WithLabels("lists").Set(pack.Version!.Value.Lists);
        if (previous != pack.Version)
        {
            _log.LogInformation("rule set {Version} applied: {Rules}", pack.Version, RuleFiles.Count(pack));
        }

        return true;
    }

    private CompiledRules? TryCompile(RuleCatalog catalog, DateTimeOffset now)
    {
        try
        {
            return catalog.Compile(_ratesDirectory, _rules.MaxWindow, now, _rules.Pack);
        }
        catch (RuleSyntaxException e)
        {
            if (_refused != catalog.Version)
            {
                _refused = catalog.Version;
                Problem = $"rule set {catalog.Version} refused: {e.Message}";
                FraudMetrics.RuleSetsRefused.Inc();
                _log.LogWarning("{Problem}; still running {Running}", Problem, _rules.Pack?.Version?.ToString() ?? "nothing yet");
            }

            return null;
        }
    }

    /// <summary>At start, when the latest rule set does not compile: the latest earlier one that does.</summary>
    private bool FallBack()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var earlier in _consumer.EarlierRuleSets())
        {
            try
            {
                var pack = earlier.Compile(_ratesDirectory, _rules.MaxWindow, now);
                _rules.UsePack(pack);
                _log.LogWarning("{Problem}; running the last rule set that compiles, {Version}", Problem, pack.Version);
                return true;
            }
            catch (RuleSyntaxException)
            {
            }
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.Run(() => _thread?.Join());
        _consumer.Dispose();
        _stop.Dispose();
    }
}
