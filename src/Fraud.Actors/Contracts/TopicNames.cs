namespace Fraud.Actors.Contracts;

/// <summary>
/// The topics' default names: the seed's, what the generator writes to and the detector reads and writes, plus the
/// review topic for transactions a review rule matched, and the compacted topics of rules, lists and decisions.
/// </summary>
public static class TopicNames
{
    public const string Input = "queueing.transactions";
    public const string Legit = "streaming.transactions.legit";
    public const string Fraud = "streaming.transactions.fraud";
    public const string Review = "streaming.transactions.review";
    public const string DeadLetter = "streaming.transactions.dead-letter";

    /// <summary>The rules, key = rule id (compacted; read whole by every node).</summary>
    public const string Rules = "fraud.rules";

    /// <summary>The lists and their items, key = list or list/item (compacted; read whole by every node).</summary>
    public const string Lists = "fraud.lists";

    /// <summary>The analysts' decisions on reviews, key = transaction id (compacted).</summary>
    public const string Decisions = "fraud.decisions";
}
