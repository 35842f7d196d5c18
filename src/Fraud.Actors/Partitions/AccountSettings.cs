using Fraud.Actors.Rules;

namespace Fraud.Actors.Partitions;

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
    /// 5 s: saving every second took a tenth of a core or more from the detector at its rate, while 5 s makes an account
    /// changed several times a save once; after a crash up to ~5 s of records are scored again (docs/decisions/0006).
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
