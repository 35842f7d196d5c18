using Fraud.Actors.State;
using System.Diagnostics;
using System.Text;
using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Streams;
using Akka.Streams.Dsl;
using Fraud.Actors.Partitions;
using Fraud.Actors.Checkpoints;
using Fraud.Actors.Detection;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;
using Fraud.Generator.Running;
using Fraud.Generator.Transactions;

namespace Fraud.Benchmarks.ActorLayer;

public sealed record ActorLayerResult(long Messages, double MsgPerSec, double BytesAllocatedPerTx, long Accounts, double DirectMsgPerSec, double DirectBytesAllocatedPerTx,
    double ParseNsPerTx, double ScoreNsPerTx, double OutputNsPerTx, double CoresBusy, double FraudShare);

public sealed record MemoryResult(double StateBytesPerAccount, long DistinctAccounts, double ProcessMbAfter, double HeapMbAfter, double ProcessMbPeak, double SoakSeconds, double SoakMbStart, double SoakMbEnd,
    IReadOnlyList<double> SoakMbEachMinute, IReadOnlyList<double> SoakHeapMbEachMinute);

/// <summary>
/// The detector graph with the real partition actors (and their checkpoints) but an in-memory source and sinks: what the actor layer
/// costs when Kafka is out of the picture.
/// </summary>
public static class ActorLayerBench
{
    private const int Partitions = 12;

    private static readonly Config SystemConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        """);

    /// <param name="checkpointInterval">How often each partition encodes and saves its changed accounts (to memory).</param>
    /// <param name="rules">The rules scored with: the built-in ones unless a pack is set (<c>--rules FILE</c>).</param>
    public static async Task<ActorLayerResult> RunAsync(int messages, int parallelism, int accounts, TimeSpan checkpointInterval, RuleSettings rules)
    {
        await using var system = await StartAsync();
        var region = StartPartitions(system.System, rules, new AccountSettings { CheckpointInterval = checkpointInterval });
        var inputs = Inputs(messages, accounts, seed: 7);
        // Warm-up, long enough for tiered compilation to reach its optimized tier on the hot paths, on accounts of its
        // own: replaying the measured inputs would make them duplicates (the cheap, idempotent path) in the measured run.
        var warmUp = Inputs(100_000, accounts, seed: 8);

        await RunGraphAsync(system.System, region, warmUp, parallelism);
        // Said on stderr so that a profiler can be attached to the measured run alone (see RESULTS.md §9).
        Console.Error.WriteLine("bench: actor layer: measured run starts");
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = CpuSeconds();
        var clock = Stopwatch.StartNew();
        await RunGraphAsync(system.System, region, inputs, parallelism);
        var seconds = clock.Elapsed.TotalSeconds;
        var coresBusy = (CpuSeconds() - cpu) / seconds;
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;

        // The control: the same graph and inputs, scored by the pure functions without actors.
        var direct = new DirectScorer(rules);
        await RunGraphAsync(system.System, direct, warmUp, parallelism);
        var directAllocated = GC.GetTotalAllocatedBytes(precise: true);
        clock.Restart();
        await RunGraphAsync(system.System, direct, inputs, parallelism);
        var directSeconds = clock.Elapsed.TotalSeconds;
        var directBytes = GC.GetTotalAllocatedBytes(precise: true) - directAllocated;
        Steps(warmUp, rules);
        var (parse, score, output, fraudShare) = Steps(inputs, rules);
        return new ActorLayerResult(messages, Math.Round(messages / seconds), Math.Round((double)bytes / messages), accounts,
            Math.Round(messages / directSeconds), Math.Round((double)directBytes / messages), parse, score, output, Math.Round(coresBusy, 2), fraudShare);
    }

    /// <summary>
    /// Bytes of rule state per account (the state alone, measured on 100,000 accounts with a typical history), then
    /// 1,000,000 distinct accounts through the partition actors with a short passivation, then a soak.
    /// </summary>
    public static async Task<MemoryResult> MemoryAsync(TimeSpan soak, int parallelism)
    {
        var rules = new RuleSettings();
        // Passivation never comes before the rules' retention; 5-second windows let it happen within the run.
        var shortRules = new RuleSettings
        {
            AllowedLateness = TimeSpan.Zero,
            VelocityCount = { Window = TimeSpan.FromSeconds(5) },
            VelocityAmount = { Window = TimeSpan.FromSeconds(5) },
            SmallThenLarge = { Window = TimeSpan.FromSeconds(5) },
            ImpossibleTravel = { Window = TimeSpan.FromSeconds(5) },
        };
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var states = new AccountState[100_000];
        var arena = new AccountArena(); // as a partition actor's accounts share theirs: its arrays are counted too
        var t0 = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < states.Length; i++)
        {
            states[i] = new AccountState(arena);
            for (var k = 0; k < 3; k++)
            {
                Scoring.Score(states[i], new Transaction(Guid.NewGuid().ToString(), "A", "M", 20m, "USD", t0.AddSeconds(k * 20), "grocery", "US", "d"), rules, t0, "bench");
            }
        }

        var stateBytes = (GC.GetTotalMemory(forceFullCollection: true) - before) / (double)states.Length;
        GC.KeepAlive(states);
        states = null!;

        await using var system = await StartAsync();
        var region = StartPartitions(system.System, shortRules, new AccountSettings { PassivateAfter = TimeSpan.FromSeconds(5) });
        var peak = 0.0;
        // One million distinct accounts, one transaction each, in chunks so the input itself is not what we measure.
        for (var chunk = 0; chunk < 10; chunk++)
        {
            var inputs = DistinctInputs(100_000, accounts: 100_000, seed: chunk, accountOffset: chunk * 100_000);
            await RunGraphAsync(system.System, region, inputs, parallelism);
            peak = Math.Max(peak, ProcessMb());
        }

        await Task.Delay(TimeSpan.FromSeconds(12)); // passivation
        GC.Collect();
        var after = ProcessMb();
        // The working set keeps memory the GC has freed but not yet returned; the managed heap is what is still held.
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true) / 1024.0 / 1024.0;

        // Soak: a steady stream over a rolling population; memory must stay flat.
        // Sampled every minute (working set, and the managed heap after a full collection), so that a plateau or a
        // steady climb shows, not just two points.
        var soakClock = Stopwatch.StartNew();
        double? soakStart = null;
        var round = 0;
        var everyMinute = new List<double>();
        var heapEveryMinute = new List<double>();
        while (soakClock.Elapsed < soak)
        {
            await RunGraphAsync(system.System, region, DistinctInputs(50_000, accounts: 50_000, seed: 100 + round, accountOffset: (round % 20) * 50_000), parallelism);
            round++;
            if (soakStart is null && soakClock.Elapsed > soak / 10)
            {
                GC.Collect();
                soakStart = ProcessMb();
            }

            if (soakClock.Elapsed >= TimeSpan.FromMinutes(everyMinute.Count + 1))
            {
                heapEveryMinute.Add(Math.Round(GC.GetTotalMemory(forceFullCollection: true) / 1024.0 / 1024.0));
                everyMinute.Add(Math.Round(ProcessMb()));
                Console.WriteLine($"bench: soak minute {everyMinute.Count}: working set {everyMinute[^1]} MB, managed heap {heapEveryMinute[^1]} MB");
            }
        }

        GC.Collect();
        return new MemoryResult(Math.Round(stateBytes), 1_000_000, Math.Round(after), Math.Round(heapAfter), Math.Round(peak), Math.Round(soak.TotalSeconds), Math.Round(soakStart ?? after), Math.Round(ProcessMb()),
            everyMinute, heapEveryMinute);
    }

    /// <summary>
    /// The graph's per-record steps alone, on this thread, no stream and no actors: parsing, scoring (the pure function
    /// on a dictionary of states) and writing the output record, record after record as the graph does them (so that
    /// each record's objects die young, as in the graph). ns per transaction, each.
    /// </summary>
    private static (double Parse, double Score, double Output, double FraudShare) Steps(IReadOnlyList<InboundRecord<int>> inputs, RuleSettings rules)
    {
        var fraud = 0;
        var states = new Dictionary<string, AccountState>();
        var arena = new AccountArena(); // one owner, one arena
        long parse = 0, score = 0, output = 0, bytes = 0;
        for (var i = 0; i < inputs.Count; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            var parsed = TransactionParser.Parse(inputs[i].Value, inputs[i].Origin);
            var t1 = Stopwatch.GetTimestamp();
            var tx = parsed.Transaction!;
            if (!states.TryGetValue(tx.Source, out var state))
            {
                states[tx.Source] = state = new AccountState(arena);
            }

            var verdict = Scoring.Score(state, tx, rules, DateTimeOffset.UtcNow, "steps");
            fraud += verdict.IsFraud ? 1 : 0;
            var scored = new ScoredRecord<int>(inputs[i], verdict.IsFraud ? Outcome.Fraud : Outcome.Legit, tx, verdict, Splice: parsed.Splice);
            var t2 = Stopwatch.GetTimestamp();
            bytes += OutputRecords.ToOutbound(scored).Value!.Length;
            var t3 = Stopwatch.GetTimestamp();
            parse += t1 - t0;
            score += t2 - t1;
            output += t3 - t2;
        }

        GC.KeepAlive(bytes);
        double Ns(long ticks) => Math.Round(ticks * 1e9 / Stopwatch.Frequency / inputs.Count);
        return (Ns(parse), Ns(score), Ns(output), Math.Round((double)fraud / inputs.Count, 4));
    }

    /// <summary>CPU time of the whole process (every thread, the GC's included).</summary>
    private static double CpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    private static double ProcessMb()
    {
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64 / 1024.0 / 1024.0;
    }

    /// <summary>
    /// Generator traffic as the generator makes it (its own accounts, paced, ~2 % in fraud scenarios), one transaction
    /// every <see cref="EventSpacing"/> of event time.
    /// </summary>
    /// <remarks>
    /// Until 2026-12-01 this re-keyed every record onto account <c>A{i % accounts}</c> one millisecond apart: each account
    /// then paid every 10 s, velocity-count fired on nearly every record, and the bench measured a stream of fraud (two
    /// rule hits, an explanation and a remembered verdict per record) instead of the mix the e2e input and real traffic
    /// have. The memory part still re-keys (<see cref="DistinctInputs"/>): it needs accounts that are new.
    /// </remarks>
    private static InboundRecord<int>[] Inputs(int count, int accounts, int seed) =>
        Records(count, seed, accounts, (tx, _) => tx);

    /// <summary>One transaction for each of <paramref name="count"/> accounts numbered from <paramref name="accountOffset"/> on.</summary>
    private static InboundRecord<int>[] DistinctInputs(int count, int accounts, int seed, int accountOffset) =>
        Records(count, seed, accounts, (tx, i) => tx with { Source = $"A{accountOffset + i % accounts}" });

    // 20 ms apart: 3,000 transactions a minute over the generator's population of 10,000 keeps every account within its
    // pace (at most 3 a minute); the measured run's 500,000 transactions span ~2.8 hours of event time.
    private static readonly TimeSpan EventSpacing = TimeSpan.FromMilliseconds(20);

    private static InboundRecord<int>[] Records(int count, int seed, int accounts, Func<Transaction, int, Transaction> key)
    {
        var factory = new TransactionFactory(seed, Math.Max(accounts, 100), 0.02);
        // Event time ends a minute ago, and each record reached "Kafka" at its event time, as a producer writing live
        // stamps it: the parser refuses timestamps far from their record's arrival, and arrivals after this node's clock.
        var start = DateTimeOffset.UtcNow - EventSpacing * count - TimeSpan.FromMinutes(1);
        var result = new InboundRecord<int>[count];
        for (var i = 0; i < count; i++)
        {
            var tx = key(factory.Next(start + EventSpacing * i).Transaction, i);
            // Spread over partitions by account, as Kafka's keyed partitioner does (offsets only need to grow).
            var partition = (int)((uint)StringComparer.Ordinal.GetHashCode(tx.Source) % Partitions);
            result[i] = new InboundRecord<int>(Encoding.UTF8.GetBytes(tx.Source), TransactionJson.Write(tx), [], new RecordOrigin("bench", partition, i, tx.Timestamp, 1), i);
        }

        return result;
    }

    private static Task RunGraphAsync(ActorSystem system, IActorRef region, IReadOnlyList<InboundRecord<int>> inputs, int parallelism) =>
        RunGraphAsync(system, new PartitionScorer(system, region, TimeSpan.FromSeconds(30)), inputs, parallelism);

    /// <summary>The production region, owning every partition, checkpointing once a second to a store in memory.</summary>
    private static IActorRef StartPartitions(ActorSystem system, RuleSettings rules, AccountSettings accounts)
    {
        var context = new PartitionContext("bench", new InMemoryCheckpointStore(), new DurableOffsets(), rules, accounts, "bench", new AccountCounter(), TimeProvider.System);
        var region = system.ActorOf(OwnedPartitions.Props(context), "accounts");
        region.Tell(new PartitionsAssigned(Enumerable.Range(0, Partitions).Select(p => new PartitionAssignment("bench", p, 1)).ToList()));
        return region;
    }

    private static async Task RunGraphAsync(ActorSystem system, IAccountScorer scorer, IReadOnlyList<InboundRecord<int>> inputs, int parallelism)
    {
        var ack = Flow.Create<IReadOnlyList<OutboundRecord<int>>>().Select(group => (IReadOnlyList<int>)group.Select(r => r.Source.Input.Ack).ToArray());
        var sinks = new DetectorSinks<int>(ack, ack, ack, ack);
        var (_, done) = DetectorGraph.Create(Source.From(inputs), scorer, sinks, Sink.Ignore<int>(), parallelism)
            .Run(system.Materializer());
        await done;
    }

    private static Task<SystemLease> StartAsync() => Task.FromResult(new SystemLease(ActorSystem.Create("bench", SystemConfig)));

    private sealed class SystemLease(ActorSystem system) : IAsyncDisposable
    {
        public ActorSystem System => system;

        public async ValueTask DisposeAsync() => await system.Terminate();
    }
}
