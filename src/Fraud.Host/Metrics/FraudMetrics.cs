using System.Collections.Concurrent;
using Fraud.Actors.Rules;
using Prometheus;

namespace Fraud.Host.Metrics;

/// <summary>
/// The Prometheus series served at <c>/metrics</c>. Counters move where <see cref="Detection.DetectorStats"/> counts,
/// so the metrics and the demo's summary can never disagree; gauges are sampled once a second by the node monitor.
/// One detector node per process, so the default (process-wide) registry is the right scope.
/// </summary>
public static class FraudMetrics
{
    private static readonly double[] LatencyBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public static readonly Counter RecordsIn = Prometheus.Metrics.CreateCounter(
        "fraud_records_in_total", "Records consumed from Kafka, per topic.", "topic");

    public static readonly Counter RecordsOut = Prometheus.Metrics.CreateCounter(
        "fraud_records_out_total", "Records written to Kafka and acknowledged by the broker, per topic.", "topic");

    public static readonly Counter Transactions = Prometheus.Metrics.CreateCounter(
        "fraud_transactions_total", "Inputs by outcome (legit, fraud, review, dead_letter), counted when the output is acknowledged.", "outcome");

    // Resolved once: a label lookup per transaction would cost a dictionary probe on the hot path.
    public static readonly Counter.Child LegitTransactions = Transactions.WithLabels("legit");
    public static readonly Counter.Child FraudTransactions = Transactions.WithLabels("fraud");
    public static readonly Counter.Child ReviewTransactions = Transactions.WithLabels("review");
    public static readonly Counter.Child DeadLetterTransactions = Transactions.WithLabels("dead_letter");

    private static readonly ConcurrentDictionary<(Counter, string), Counter.Child> TopicChildren = new();

    public static readonly Counter RuleHits = Prometheus.Metrics.CreateCounter(
        "fraud_rule_hits_total", "Times each rule fired in a written verdict, by its version and mode (active or shadow).", "rule", "version", "mode");

    private static readonly ConcurrentDictionary<(string, int, bool), Counter.Child> RuleHitChildren = new();

    // Found once per rule, version and mode: labels given as strings are looked up on every increment otherwise.
    public static Counter.Child RuleHit(RuleHit hit, bool shadow) => RuleHitChildren.GetOrAdd((hit.Id, hit.Version, shadow),
        static key => RuleHits.WithLabels(key.Item1, key.Item2.ToString(System.Globalization.CultureInfo.InvariantCulture), key.Item3 ? "shadow" : "active"));

    public static readonly Gauge RuleSetVersion = Prometheus.Metrics.CreateGauge(
        "fraud_rule_set_version", "The rule set this node runs: its position in the rule topic and in the list topic", "topic");

    public static readonly Counter RuleSetsRefused = Prometheus.Metrics.CreateCounter(
        "fraud_rule_sets_refused_total", "Rule sets from the rule topics that did not compile (the node kept the one it ran)");

    public static readonly Counter DeadLetters = Prometheus.Metrics.CreateCounter(
        "fraud_dead_letters_total", "Inputs written to the dead-letter topic, by reason.", "reason");

    public static readonly Histogram Processing = Prometheus.Metrics.CreateHistogram(
        "fraud_processing_seconds", "From the record leaving the consumer to its output acknowledged by the broker.",
        new HistogramConfiguration { Buckets = LatencyBuckets });

    public static readonly Histogram EndToEnd = Prometheus.Metrics.CreateHistogram(
        "fraud_end_to_end_latency_seconds", "From the transaction's own timestamp to its output acknowledged by the broker.",
        new HistogramConfiguration { Buckets = LatencyBuckets });

    public static readonly Gauge ConsumerLag = Prometheus.Metrics.CreateGauge(
        "fraud_consumer_lag", "Records in a partition beyond what this node has finished (partitions this node owns).", "topic", "partition");

    public static readonly Counter CommitFailures = Prometheus.Metrics.CreateCounter(
        "fraud_commit_failures_total", "Offset commits that failed (retried by the next commit).");

    public static readonly Counter OffsetsCommitted = Prometheus.Metrics.CreateCounter(
        "fraud_offsets_committed_total", "Partition offsets committed to Kafka.");

    public static readonly Gauge ActiveAccounts = Prometheus.Metrics.CreateGauge(
        "fraud_active_accounts", "Account actors alive on this node.");

    public static readonly Gauge LastBrokerContact = Prometheus.Metrics.CreateGauge(
        "fraud_kafka_last_contact_timestamp_seconds", "When the consumer last heard from a broker (Unix seconds; librdkafka statistics).");

    public static readonly Gauge LastFetch = Prometheus.Metrics.CreateGauge(
        "fraud_consumer_last_fetch_timestamp_seconds", "When the consumer last fetched from a broker (Unix seconds; none while every partition is paused).");

    public static readonly Gauge GroupSettled = Prometheus.Metrics.CreateGauge(
        "fraud_consumer_group_settled", "1 while the consumer is joined to its group with an assignment, 0 otherwise.");

    public static readonly Gauge OwnedPartitions = Prometheus.Metrics.CreateGauge(
        "fraud_owned_partitions", "Input partitions assigned to this node.");

    public static readonly Gauge ClusterMembers = Prometheus.Metrics.CreateGauge(
        "fraud_cluster_members", "Members of the Akka cluster as this node sees them, by status.", "status");

    /// <summary>The per-topic child of a counter, cached (a handful of topics per process).</summary>
    public static readonly Gauge ReviewsOpen = Prometheus.Metrics.CreateGauge(
        "fraud_reviews_open", "Reviews no analyst has decided yet, as this node's review queue lists them.");

    public static readonly Gauge ReviewsUnlisted = Prometheus.Metrics.CreateGauge(
        "fraud_reviews_unlisted", "Open reviews beyond Reviews:MaxOpen, counted but not listed by this node.");

    public static readonly Gauge ReviewOldestAge = Prometheus.Metrics.CreateGauge(
        "fraud_review_oldest_age_seconds", "How long the oldest open review has waited.");

    public static readonly Gauge ReviewDecisions = Prometheus.Metrics.CreateGauge(
        "fraud_review_decisions", "Decisions in the decision topic on reviews the rule sent, by decision.", "rule", "decision");

    public static readonly Gauge RuleLivePrecision = Prometheus.Metrics.CreateGauge(
        "fraud_rule_live_precision", "Of the rule's decided reviews, the share analysts marked fraud.", "rule");

    public static Counter.Child ForTopic(Counter counter, string topic) =>
        TopicChildren.GetOrAdd((counter, topic), key => key.Item1.WithLabels(key.Item2));
}
