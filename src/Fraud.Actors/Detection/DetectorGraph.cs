using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Detection;

/// <summary>The output side of the graph: one flow per outlet, each emitting the input's token once its record is acknowledged.</summary>
public sealed record DetectorSinks<TAck>(
    Flow<OutboundRecord<TAck>, TAck, NotUsed> Legit,
    Flow<OutboundRecord<TAck>, TAck, NotUsed> Fraud,
    Flow<OutboundRecord<TAck>, TAck, NotUsed> DeadLetter);

/// <summary>
/// source → parse → score (the account's actor) → Partition(legit | fraud | dead-letter) → writers → committer.
/// Built from named parts so that tests plug probes where production plugs Kafka. Every input produces exactly one
/// output, and its token reaches the committer only after that output is acknowledged.
/// </summary>
public static class DetectorGraph
{
    /// <summary>Parses each record; a record that cannot be scored becomes a dead letter here, nothing is dropped.</summary>
    public static Flow<InboundRecord<TAck>, (InboundRecord<TAck> Input, ParseResult Parsed), NotUsed> Parse<TAck>() =>
        Flow.Create<InboundRecord<TAck>>()
            .Select(input => (input, TransactionParser.Parse(input.Value, input.Origin)))
            .Named("parse");

    /// <summary>
    /// Scores through the account actors, at most <paramref name="parallelism"/> transactions at once, sent in batches
    /// of up to <paramref name="batchSize"/>. A batch forms only while earlier ones are being scored (the stream's
    /// backpressure), so a quiet stream sends each record at once and a busy one pays the actor hop once per batch and
    /// partition. Output order is input order, and one account's transactions reach its actor in that order, so each
    /// account is scored sequentially. A record whose partition has moved to another node since it was read is not
    /// scored here and leaves the stream: it is never acknowledged, so the new owner reads it again from the committed
    /// offset.
    /// </summary>
    public static Flow<(InboundRecord<TAck> Input, ParseResult Parsed), ScoredRecord<TAck>, NotUsed> Score<TAck>(
        IAccountScorer scorer, int parallelism, int batchSize = DefaultBatchSize)
    {
        var size = Math.Max(1, batchSize);
        return Flow.Create<(InboundRecord<TAck> Input, ParseResult Parsed)>()
            .Batch(size, first => new List<(InboundRecord<TAck> Input, ParseResult Parsed)>(size) { first }, (batch, next) =>
            {
                batch.Add(next);
                return batch;
            })
            .SelectAsync(Math.Max(1, parallelism / size), batch => ScoreBatchAsync(scorer, batch))
            .SelectMany(scored => scored)
            .Named("score");
    }

    /// <summary>The most transactions sent to the accounts as one batch (see <see cref="Score{TAck}"/>).</summary>
    public const int DefaultBatchSize = 64;

    private static async Task<List<ScoredRecord<TAck>>> ScoreBatchAsync<TAck>(IAccountScorer scorer, List<(InboundRecord<TAck> Input, ParseResult Parsed)> batch)
    {
        var requests = new List<ScoreRequest>(batch.Count);
        foreach (var (input, parsed) in batch)
        {
            if (parsed.IsValid)
            {
                requests.Add(new ScoreRequest(parsed.Transaction!, input.Origin));
            }
        }

        var verdicts = requests.Count == 0 ? [] : await scorer.ScoreAsync(requests).ConfigureAwait(false);
        var scored = new List<ScoredRecord<TAck>>(batch.Count);
        var next = 0;
        foreach (var (input, parsed) in batch)
        {
            if (!parsed.IsValid)
            {
                scored.Add(new ScoredRecord<TAck>(input, Outcome.DeadLetter, null, null, parsed.Reason, parsed.Detail));
            }
            else if (verdicts[next++] is { } verdict)
            {
                scored.Add(new ScoredRecord<TAck>(input, verdict.IsFraud ? Outcome.Fraud : Outcome.Legit, parsed.Transaction, verdict));
            }
        }

        return scored;
    }

    /// <summary>The whole detector. Materializes the source's value and the committer's.</summary>
    public static IRunnableGraph<(TSourceMat Source, TCommitMat Committer)> Create<TAck, TSourceMat, TCommitMat>(
        Source<InboundRecord<TAck>, TSourceMat> source,
        IAccountScorer scorer,
        DetectorSinks<TAck> sinks,
        Sink<TAck, TCommitMat> committer,
        int parallelism,
        int batchSize = DefaultBatchSize)
    {
        return RunnableGraph.FromGraph(GraphDsl.Create(source, committer, (s, c) => (s, c), (builder, src, commit) =>
        {
            var partition = builder.Add(new Partition<ScoredRecord<TAck>>(3, scored => (int)scored.Outcome));
            var merge = builder.Add(new Merge<TAck>(3));
            var toOutbound = Flow.Create<ScoredRecord<TAck>>().Select(OutputRecords.ToOutbound);

            builder.From(src).Via(Parse<TAck>()).Via(Score<TAck>(scorer, parallelism, batchSize)).To(partition.In);
            builder.From(partition.Out((int)Outcome.Legit)).Via(toOutbound).Via(sinks.Legit).To(merge.In(0));
            builder.From(partition.Out((int)Outcome.Fraud)).Via(toOutbound).Via(sinks.Fraud).To(merge.In(1));
            builder.From(partition.Out((int)Outcome.DeadLetter)).Via(toOutbound).Via(sinks.DeadLetter).To(merge.In(2));
            builder.From(merge.Out).To(commit);
            return ClosedShape.Instance;
        }));
    }
}
