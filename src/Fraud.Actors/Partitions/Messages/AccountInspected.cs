using Fraud.Actors.State;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Partitions;

/// <summary>The reply to <see cref="InspectAccount"/>: the transactions in the account's windows, oldest first.</summary>
public sealed record AccountInspected(string AccountId, IReadOnlyList<WindowEntry> Window, int RememberedVerdicts, string Node, bool Known)
{
    /// <summary>The answer for an account whose partition's state is not held where the question arrived.</summary>
    public static AccountInspected Unknown(string accountId, string node) => new(accountId, [], 0, node, Known: false);
}
