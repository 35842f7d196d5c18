namespace Fraud.Actors.Detection;

/// <summary>The outlets of the detector's Partition stage: legit (and allowed), fraud (blocked), dead letter, review.</summary>
public enum Outcome
{
    Legit = 0,
    Fraud = 1,
    DeadLetter = 2,
    Review = 3,
}
