namespace Fraud.Actors.Contracts;

/// <summary>The topics' default names, the seed's: what the generator writes to and the detector reads and writes.</summary>
public static class TopicNames
{
    public const string Input = "queueing.transactions";
    public const string Legit = "streaming.transactions.legit";
    public const string Fraud = "streaming.transactions.fraud";
    public const string DeadLetter = "streaming.transactions.dead-letter";
}
