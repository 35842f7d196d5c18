using Akka.Actor;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Accounts;

/// <summary>Messages routed to an account's entity carry its id: the sharding key.</summary>
public interface IWithAccountId
{
    /// <summary>The paying account (<see cref="Transaction.Source"/>).</summary>
    string AccountId { get; }
}

/// <summary>Score this transaction against its account's history. <see cref="CorrelationId"/> comes back in the reply.</summary>
public sealed record ScoreTransaction(Transaction Transaction, long CorrelationId = 0) : IWithAccountId
{
    public string AccountId => Transaction.Source;
}

/// <summary>The reply to <see cref="ScoreTransaction"/>.</summary>
public sealed record TransactionScored(string TransactionId, Verdict Verdict, long CorrelationId = 0);

/// <summary>Ask an account what its rules currently see (the dashboard's account view). Changes nothing.</summary>
public sealed record InspectAccount(string AccountId) : IWithAccountId;

/// <summary>The reply to <see cref="InspectAccount"/>: the transactions in the account's windows, oldest first.</summary>
public sealed record AccountInspected(string AccountId, IReadOnlyList<WindowEntry> Window, int RememberedVerdicts, string Node);

/// <summary>
/// One account: holds its <see cref="AccountState"/> and applies <see cref="Scoring.Score"/>. All logic is in the pure
/// functions; the actor only serializes access to the state, one transaction at a time, in arrival order.
/// </summary>
public sealed class AccountActor : ReceiveActor
{
    private readonly AccountState _state = new();
    private readonly RuleSettings _rules;
    private readonly string _node;
    private readonly TimeProvider _clock;

    public AccountActor(RuleSettings rules, string node, TimeProvider clock)
    {
        _rules = rules;
        _node = node;
        _clock = clock;
        Receive<ScoreTransaction>(Handle);
        Receive<InspectAccount>(query =>
            Sender.Tell(new AccountInspected(query.AccountId, _state.Window(), _state.RememberedIds, _node)));
    }

    public static Props Props(RuleSettings rules, string node, TimeProvider? clock = null) =>
        Akka.Actor.Props.Create(() => new AccountActor(rules, node, clock ?? TimeProvider.System));

    private void Handle(ScoreTransaction command)
    {
        var verdict = Scoring.Score(_state, command.Transaction, _rules, _clock.GetUtcNow(), _node);
        Sender.Tell(new TransactionScored(command.Transaction.TransactionId, verdict, command.CorrelationId));
    }
}
