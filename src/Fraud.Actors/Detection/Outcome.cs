using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Detection;

/// <summary>The three outlets of the detector's Partition stage.</summary>
public enum Outcome
{
    Legit = 0,
    Fraud = 1,
    DeadLetter = 2,
}
