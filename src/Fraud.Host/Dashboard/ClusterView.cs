using Akka.Actor;
using Akka.Cluster;
using Fraud.Actors.Partitions;
using Fraud.Host.Metrics;

namespace Fraud.Host.Dashboard;

/// <summary>
/// What one node reports of itself to the others: the input partitions it owns (each one the shard of the accounts it
/// carries), how many accounts it holds in memory, the rule-set version it scores with and why it refused a later one.
/// </summary>
public sealed record NodeReport(string Address, string Node, int[] Partitions, long Accounts, DateTime ReportedAt, string? RuleSet = null, string? RuleProblem = null);

/// <summary>The cluster as the dashboard shows it: each member with its status and its latest report.</summary>
public sealed record ClusterNode(string Address, string Status, bool IsSelf, NodeReport? Report);

/// <summary>
/// The members with their reports, and since when the nodes that report have run different rule sets (null while
/// they agree): a change reaches every node within a second or two, so a disagreement that lasts is a node stuck.
/// </summary>
public sealed record ClusterState(ClusterNode[] Nodes, DateTime? DisagreeingSince)
{
    /// <summary>How long they have disagreed, by this node's clock (a browser's may differ).</summary>
    public double? DisagreeingSeconds => DisagreeingSince is { } since ? Math.Round((DateTime.UtcNow - since).TotalSeconds, 1) : null;
}

/// <summary>
/// One per node, at <c>/user/cluster-view</c>. Every two seconds it asks the local account region what it holds,
/// reports that to the views of every other member, and keeps the latest report of each. So any node's dashboard
/// shows which node owns which partitions and how many accounts, without asking anyone on a click.
/// </summary>
public sealed class ClusterView : ReceiveActor, IWithTimers
{
    public const string Name = "cluster-view";
    private readonly Dictionary<string, NodeReport> _reports = new();
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private DateTime? _disagreeingSince;

    public ClusterView(IActorRef region, string node, Func<(string? RuleSet, string? Problem)> rules)
    {
        var self = _cluster.SelfAddress.ToString();
        Receive<Refresh>(_ => region.Ask<PartitionsStatus>(GetPartitionsStatus.Instance, TimeSpan.FromSeconds(2))
            .PipeTo(Self, success: status => new LocalState(status), failure: _ => new LocalState(null)));
        Receive<LocalState>(local =>
        {
            var accounts = local.Status?.Accounts ?? 0;
            FraudMetrics.ActiveAccounts.Set(accounts);
            var (ruleSet, problem) = rules();
            var report = new NodeReport(self, node, local.Status?.Partitions.ToArray() ?? [], accounts, DateTime.UtcNow, ruleSet, problem);
            _reports[self] = report;
            foreach (var member in _cluster.State.Members)
            {
                if (member.Address != _cluster.SelfAddress && member.Status is MemberStatus.Up or MemberStatus.Joining or MemberStatus.WeaklyUp)
                {
                    Context.ActorSelection(new RootActorPath(member.Address) / "user" / Name).Tell(report);
                }
            }

            TrackAgreement();
        });
        Receive<NodeReport>(report =>
        {
            _reports[report.Address] = report;
            TrackAgreement();
        });
        Receive<GetClusterView>(_ =>
        {
            var members = _cluster.State.Members.Select(m => new ClusterNode(
                m.Address.ToString(), m.Status.ToString(), m.Address == _cluster.SelfAddress, _reports.GetValueOrDefault(m.Address.ToString())));
            var current = members.ToList();
            // Forget the reports of nodes that left, so a replacement on the same address starts clean.
            foreach (var gone in _reports.Keys.Where(a => current.All(m => m.Address != a)).ToList())
            {
                _reports.Remove(gone);
            }

            Sender.Tell(new ClusterState(current.OrderBy(m => m.Address, StringComparer.Ordinal).ToArray(), _disagreeingSince));
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    // Among members that are still members: a node that left takes its version with it.
    private void TrackAgreement()
    {
        var members = _cluster.State.Members.Select(m => m.Address.ToString()).ToHashSet();
        var ruleSets = _reports.Where(r => members.Contains(r.Key) && r.Value.RuleSet is not null).Select(r => r.Value.RuleSet).Distinct().Count();
        _disagreeingSince = ruleSets > 1 ? _disagreeingSince ?? DateTime.UtcNow : null;
    }

    public static Props Props(IActorRef region, string node, Func<(string? RuleSet, string? Problem)> rules) =>
        Akka.Actor.Props.Create(() => new ClusterView(region, node, rules));

    protected override void PreStart() => Timers.StartPeriodicTimer("refresh", Refresh.Instance, TimeSpan.Zero, TimeSpan.FromSeconds(2));

    /// <summary>Ask for the members with their reports; the reply is a <see cref="ClusterState"/>.</summary>
    public sealed record GetClusterView
    {
        public static readonly GetClusterView Instance = new();
    }

    private sealed record Refresh
    {
        public static readonly Refresh Instance = new();
    }

    private sealed record LocalState(PartitionsStatus? Status);
}
