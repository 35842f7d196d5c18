using System.Collections.Concurrent;
using Akka.Actor;
using Fraud.Actors.Partitions;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Detection;

/// <summary>A transaction to judge, and where it was read.</summary>
public readonly record struct ScoreRequest(Transaction Transaction, RecordOrigin Origin);
