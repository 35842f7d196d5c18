namespace Fraud.Actors.Rules;

/// <summary>
/// What a verdict does with its transaction: allow beats block, block beats review, and a transaction no rule matched is
/// legit. Legit and allowed transactions go to the legit topic, reviewed ones to the review topic, blocked ones to fraud.
/// </summary>
public enum VerdictAction : byte
{
    Legit,
    Review,
    Block,
    Allow,
}
