using Fraud.Actors.Rules;

namespace Fraud.Actors.Accounts;

/// <summary>How a node keeps the accounts of the partitions it owns.</summary>
public sealed class AccountSettings
{
    /// <summary>
    /// An account idle this long is dropped from memory and from its checkpoint; raised to the rules' retention when
    /// shorter (see <see cref="PassivationFor"/>).
    /// </summary>
    public TimeSpan PassivateAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How often each partition saves the accounts that changed, with the offset they reflect. Offsets are committed
    /// only up to the last save, so this bounds what a new owner reads again after a crash (a graceful stop or a
    /// rebalance saves first, and re-reads nothing).
    /// </summary>
    /// <remarks>
    /// 5 s, not 1: saving every second cost the detector ~0.1–0.2 of a core at 50,000 msg/s in the e2e bench (0.56–0.65
    /// cores busy against 0.46 with saves every 5 s), on two cores shared with the broker, and its p99 at half load was
    /// 4.3–20.8 ms over the passthrough's against 3.0 (2026-12-02, bench/RESULTS.md §13). An account changed several
    /// times in 5 s is saved once, and each save's fixed costs (a transaction, the log's statistics, a snapshot) come a
    /// fifth as often. What it costs: after a crash, up to ~5 s of records are scored again (at-least-once, as before).
    /// </remarks>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// After another owner claimed this node's partition in the store, how long to wait for Kafka to revoke it. A
    /// rebalance revokes it within moments; still assigned after this, two deployments share one store and consumer
    /// group (or this node is a zombie), and the node fails loudly rather than leave the partition unscored.
    /// </summary>
    public TimeSpan FencedGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a graceful stop waits for the final checkpoints (past it, the next owner re-reads a little more).</summary>
    public TimeSpan FlushTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The idle time after which an account is dropped: the configured value, but at least the rules' retention
    /// (longest window plus lateness), so that no account forgets a window its rules still look at.
    /// </summary>
    public TimeSpan PassivationFor(RuleSettings rules) => PassivateAfter > rules.Retention ? PassivateAfter : rules.Retention;
}
