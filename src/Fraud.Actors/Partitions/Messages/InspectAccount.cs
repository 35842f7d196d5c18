using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Partitions;

/// <summary>Ask an account what its rules currently see (the dashboard's account view). Changes nothing.</summary>
public sealed record InspectAccount(string AccountId, int Partition);
