using Akka.Actor;
using Akka.Event;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Partitions;

// The active behaviour's scoring: each transaction against its account, one failure a dead letter, never a crash.
public sealed partial class PartitionActor
{
    private int _failuresLogged;

    // A few stack traces are worth logging; a flood of one bug is counted in the dead-letter metric instead.
    private const int MaxFailuresLogged = 10;

    private void Score(ScoreTransactions command)
    {
        if (command.Generation != _assignment.Generation)
        {
            Sender.Tell(new PartitionNotOwned(_key.Partition, command.CorrelationId));
            return;
        }

        var now = _context.Clock.GetUtcNow();
        var pack = _context.Rules.Pack; // once a group: rules changed at run time apply between groups, never inside one
        var verdicts = new Verdict?[command.Transactions.Count];
        string?[]? failures = null;
        for (var i = 0; i < verdicts.Length; i++)
        {
            try
            {
                verdicts[i] = Score(command.Transactions[i], pack, now);
            }
            catch (Exception e)
            {
                // One record must not stop its partition: it becomes a dead letter, and the others are scored.
                (failures ??= new string?[verdicts.Length])[i] = $"{e.GetType().FullName}: {e.Message}";
                if (_failuresLogged++ < MaxFailuresLogged)
                {
                    _log.Error(e, "partition {0}: scoring offset {1} threw; the record goes to the dead-letter topic", _key, command.Offsets[i]);
                }
            }

            _checkpoints.Scored(command.Offsets[i]);
        }

        // Before the reply: the committer reads it once the outputs are acknowledged (see DurableOffsets.CommitLimit).
        _context.Durable.Scored(_key.Topic, _key.Partition, _checkpoints.NextOffset);
        Sender.Tell(new TransactionsScored(verdicts, command.CorrelationId, failures));
    }

    private Verdict Score(Transaction tx, Rules.Compiler.CompiledRules? pack, DateTimeOffset now)
    {
        var row = _accounts.FindOrAdd(tx.Source, out var added);
        if (added)
        {
            _context.Counter.Add(1);
            _checkpoints.Added(tx.Source);
        }

        _accounts.LastSeenTicks(row) = now.UtcTicks;
        _checkpoints.Changed(_accounts, row);
        return Scoring.Score(_accounts.State(row), tx, _context.Rules, pack, now, _context.Node);
    }
}
