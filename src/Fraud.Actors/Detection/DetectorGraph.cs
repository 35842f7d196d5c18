using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Detection;

/// <summary>
/// source → parse → score (the accounts' partition actors) → write → Partition(legit | fraud | dead-letter | review) → producers →
/// committer. Built from named parts so that tests plug probes where production plugs Kafka. Every input produces
/// exactly one output, and its token reaches the committer only after that output is acknowledged.
/// Records travel in groups: a group forms only while the stage after it is busy (the stream's backpressure), so a
/// quiet stream moves each record at once and a busy one pays every stage, and the actor hop, once per group instead
/// of once per record.
/// </summary>
public static class DetectorGraph
{
    /// <summary>The most records in one group (see <see cref="Create{TAck,TSourceMat,TCommitMat}"/>).</summary>
    public const int DefaultBatchSize = 64;

    /// <summary>Groups records, up to <paramref name="batchSize"/>, while downstream is busy; never waits for more.</summary>
    public static Flow<T, IReadOnlyList<T>, NotUsed> Group<T>(int batchSize) =>
        Flow.Create<T>()
            .Batch(Math.Max(1, batchSize), first => new List<T>(Math.Max(1, batchSize)) { first }, (group, next) =>
            {
                group.Add(next);
                return group;
            })
            .Select(group => (IReadOnlyList<T>)group)
            .Named("group");

    /// <summary>
    /// How many groups each per-record step (parsing, writing the output) works on at once off the stream's thread, by
    /// default: none, the steps run on the stream's own thread.
    /// </summary>
    /// <remarks>
    /// Each step off the stream's thread costs a group two thread hops, paid in latency, and the stream's thread has room
    /// for the steps at what a node reads from Kafka; more than one at once only kept more records in flight
    /// (docs/decisions/0005).
    /// </remarks>
    public const int DefaultStepParallelism = 0;

    /// <summary>
    /// A pure step over one group at a time: on the stream's thread when <paramref name="parallelism"/> is 0, else on the
    /// thread pool with up to <paramref name="parallelism"/> groups at once; groups leave in the order they came.
    /// </summary>
    public static Flow<TIn, TOut, NotUsed> Step<TIn, TOut>(Func<TIn, TOut> step, int parallelism) =>
        parallelism <= 0
            ? Flow.Create<TIn>().Select(step)
            : Flow.Create<TIn>().SelectAsync(parallelism, group => Task.Run(() => step(group)));

    /// <summary>
    /// Parses each record; a record that cannot be scored becomes a dead letter here, nothing is dropped. Parsing one that
    /// throws (a bug of ours) makes that record alone a dead letter (<see cref="RejectReasons.InternalError"/>).
    /// </summary>
    public static Flow<IReadOnlyList<InboundRecord<TAck>>, IReadOnlyList<(InboundRecord<TAck> Input, ParseResult Parsed)>, NotUsed> Parse<TAck>(
        RecordLimits? limits = null, TimeProvider? clock = null, int parallelism = DefaultStepParallelism, Func<InputFields?>? fields = null)
    {
        var (checks, time) = (limits ?? RecordLimits.Default, clock ?? TimeProvider.System);
        // The fields are asked once a group: rules changed at run time may read new ones from the next group on.
        return Step<IReadOnlyList<InboundRecord<TAck>>, IReadOnlyList<(InboundRecord<TAck> Input, ParseResult Parsed)>>(
            group => ParseGroup(group, checks, time.GetUtcNow(), fields?.Invoke()), parallelism).Named("parse");
    }

    private static IReadOnlyList<(InboundRecord<TAck> Input, ParseResult Parsed)> ParseGroup<TAck>(IReadOnlyList<InboundRecord<TAck>> group, RecordLimits limits, DateTimeOffset now,
        InputFields? fields)
    {
        var parsed = new (InboundRecord<TAck> Input, ParseResult Parsed)[group.Count];
        for (var i = 0; i < parsed.Length; i++)
        {
            parsed[i] = (group[i], ParseOne(group[i], limits, now, fields));
        }

        return parsed;
    }

    /// <summary>A record's parse result, whatever it holds: never an exception.</summary>
    /// <param name="fields">The input fields the rules read by name (<see cref="Rules.Compiler.CompiledRules.Fields"/>).</param>
    public static ParseResult ParseOne<TAck>(InboundRecord<TAck> record, RecordLimits limits, DateTimeOffset now, InputFields? fields = null)
    {
        try
        {
            return TransactionParser.Parse(record.Value, record.Origin, limits, now, fields);
        }
        catch (Exception e)
        {
            return ParseResult.Reject(RejectReasons.InternalError, $"parsing threw {e.GetType().FullName}: {e.Message}");
        }
    }

    /// <summary>
    /// Scores through the account actors, at most <paramref name="parallelism"/> groups at once, each sent as one
    /// message per partition. Output order is input order, and one account's transactions reach its actor in that
    /// order, so each account is scored sequentially. A record whose partition has moved to another node since it was
    /// read is not scored here and leaves the stream: it is never acknowledged, so the new owner reads it again from
    /// the committed offset.
    /// </summary>
    public static Flow<IReadOnlyList<(InboundRecord<TAck> Input, ParseResult Parsed)>, IReadOnlyList<ScoredRecord<TAck>>, NotUsed> Score<TAck>(
        IAccountScorer scorer, int parallelism) =>
        Flow.Create<IReadOnlyList<(InboundRecord<TAck> Input, ParseResult Parsed)>>()
            .SelectAsync(Math.Max(1, parallelism), group => ScoreGroupAsync(scorer, group))
            .Named("score");

    private static readonly ScoredBatch NoneScored = new([]);

    private static async Task<IReadOnlyList<ScoredRecord<TAck>>> ScoreGroupAsync<TAck>(IAccountScorer scorer, IReadOnlyList<(InboundRecord<TAck> Input, ParseResult Parsed)> group)
    {
        var requests = new List<ScoreRequest>(group.Count);
        foreach (var (input, parsed) in group)
        {
            if (parsed.IsValid)
            {
                requests.Add(new ScoreRequest(parsed.Transaction!, input.Origin));
            }
        }

        var answer = requests.Count == 0 ? NoneScored : await scorer.ScoreAsync(requests).ConfigureAwait(false);
        var scored = new List<ScoredRecord<TAck>>(group.Count);
        var next = 0;
        foreach (var (input, parsed) in group)
        {
            if (!parsed.IsValid)
            {
                scored.Add(new ScoredRecord<TAck>(input, Outcome.DeadLetter, null, null, parsed.Reason, parsed.Detail));
                continue;
            }

            var index = next++;
            if (answer.Verdicts[index] is { } verdict)
            {
                scored.Add(new ScoredRecord<TAck>(input, OutcomeOf(verdict), parsed.Transaction, verdict, Splice: parsed.Splice));
            }
            else if (answer.FailureOf(index) is { } failure)
            {
                scored.Add(new ScoredRecord<TAck>(input, Outcome.DeadLetter, null, null, RejectReasons.InternalError, $"scoring threw {failure}"));
            }
        }

        return scored;
    }

    /// <summary>Where a verdict's transaction goes: blocked to fraud, reviewed to review, allowed and unmatched to legit.</summary>
    public static Outcome OutcomeOf(Verdict verdict) => verdict.Action switch
    {
        VerdictAction.Block => Outcome.Fraud,
        VerdictAction.Review => Outcome.Review,
        _ => Outcome.Legit,
    };

    /// <summary>
    /// Writes each scored record's output and splits the group by outcome: up to four groups, each for one outlet of
    /// the Partition stage.
    /// </summary>
    public static Flow<IReadOnlyList<ScoredRecord<TAck>>, (Outcome Outcome, IReadOnlyList<OutboundRecord<TAck>> Records), NotUsed> Write<TAck>(
        RecordLimits? limits = null, int parallelism = DefaultStepParallelism)
    {
        var checks = limits ?? RecordLimits.Default;
        return Step<IReadOnlyList<ScoredRecord<TAck>>, IReadOnlyList<(Outcome Outcome, IReadOnlyList<OutboundRecord<TAck>> Records)>>(group => ByOutcome(group, checks), parallelism)
            .SelectMany(routed => routed)
            .Named("write");
    }

    /// <summary>The outputs of a scored group, by the outcome of each output (legit first): an output may have become a dead letter.</summary>
    public static IReadOnlyList<(Outcome Outcome, IReadOnlyList<OutboundRecord<TAck>> Records)> ByOutcome<TAck>(IReadOnlyList<ScoredRecord<TAck>> group, RecordLimits? limits = null)
    {
        var checks = limits ?? RecordLimits.Default;
        List<OutboundRecord<TAck>>? legit = null, fraud = null, dead = null, review = null;
        for (var i = 0; i < group.Count; i++)
        {
            var output = OutputRecords.ToOutbound(group[i], checks);
            var list = output.Outcome switch
            {
                Outcome.Legit => legit ??= new(group.Count),
                Outcome.Fraud => fraud ??= new(),
                Outcome.Review => review ??= new(),
                _ => dead ??= new(),
            };
            list.Add(output);
        }

        var routed = new List<(Outcome Outcome, IReadOnlyList<OutboundRecord<TAck>> Records)>(4);
        if (legit is not null) routed.Add((Outcome.Legit, legit));
        if (fraud is not null) routed.Add((Outcome.Fraud, fraud));
        if (dead is not null) routed.Add((Outcome.DeadLetter, dead));
        if (review is not null) routed.Add((Outcome.Review, review));
        return routed;
    }

    /// <summary>
    /// The whole detector; <paramref name="parallelism"/> counts transactions being scored at once, in groups of up to
    /// <paramref name="batchSize"/>; <paramref name="stepParallelism"/> groups are parsed, and written, at once off the stream's thread (0: on it). Materializes the
    /// source's value and the committer's.
    /// </summary>
    public static IRunnableGraph<(TSourceMat Source, TCommitMat Committer)> Create<TAck, TSourceMat, TCommitMat>(
        Source<InboundRecord<TAck>, TSourceMat> source,
        IAccountScorer scorer,
        DetectorSinks<TAck> sinks,
        Sink<TAck, TCommitMat> committer,
        int parallelism,
        int batchSize = DefaultBatchSize,
        int stepParallelism = DefaultStepParallelism,
        RecordLimits? limits = null,
        TimeProvider? clock = null,
        Func<InputFields?>? fields = null)
    {
        var size = Math.Max(1, batchSize);
        return RunnableGraph.FromGraph(GraphDsl.Create(source, committer, (s, c) => (s, c), (builder, src, commit) =>
        {
            var partition = builder.Add(new Partition<(Outcome Outcome, IReadOnlyList<OutboundRecord<TAck>> Records)>(4, routed => (int)routed.Outcome));
            var merge = builder.Add(new Merge<IReadOnlyList<TAck>>(4));
            var records = Flow.Create<(Outcome Outcome, IReadOnlyList<OutboundRecord<TAck>> Records)>().Select(routed => routed.Records);

            builder.From(src)
                .Via(Group<InboundRecord<TAck>>(size))
                .Via(Parse<TAck>(limits, clock, stepParallelism, fields))
                .Via(Score<TAck>(scorer, Math.Max(1, parallelism / size)))
                .Via(Write<TAck>(limits, stepParallelism))
                .To(partition.In);
            builder.From(partition.Out((int)Outcome.Legit)).Via(records).Via(sinks.Legit).To(merge.In(0));
            builder.From(partition.Out((int)Outcome.Fraud)).Via(records).Via(sinks.Fraud).To(merge.In(1));
            builder.From(partition.Out((int)Outcome.DeadLetter)).Via(records).Via(sinks.DeadLetter).To(merge.In(2));
            builder.From(partition.Out((int)Outcome.Review)).Via(records).Via(sinks.Review).To(merge.In(3));
            builder.From(merge.Out).Via(Flow.Create<IReadOnlyList<TAck>>().SelectMany(acks => acks)).To(commit);
            return ClosedShape.Instance;
        }));
    }
}
