using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Stage;
using Fraud.Kafka.Consuming;

namespace Fraud.Kafka.Committing;

/// <summary>When the committer commits: after <see cref="MaxBatch"/> acknowledgements or <see cref="MaxInterval"/>.</summary>
public sealed record CommitterSettings
{
    public int MaxBatch { get; init; } = 5000;

    public TimeSpan MaxInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// The end of a consume → process → produce pipeline. Each element says "every output of this record is
/// acknowledged"; the committer marks it and commits in batches (by count and by time). Acknowledgements may arrive
/// in any order: only the contiguous prefix of each partition is committed (see <see cref="ConsumerSession"/>).
/// </summary>
public static class Committer
{
    /// <summary>Materializes a task that completes after the last commit once upstream completes.</summary>
    public static Sink<CommittableOffset, Task<Done>> Sink(CommitterSettings? settings = null)
    {
        var committerSettings = settings ?? new CommitterSettings();
        return Akka.Streams.Dsl.Sink.FromGraph(new CommitterStage(committerSettings));
    }

    private sealed class CommitterStage(CommitterSettings settings) : GraphStageWithMaterializedValue<SinkShape<CommittableOffset>, Task<Done>>
    {
        private readonly Inlet<CommittableOffset> _in = new("committer.in");

        public override SinkShape<CommittableOffset> Shape => new(_in);

        protected override Attributes InitialAttributes => Attributes.CreateName("kafka-committer");

        public override ILogicAndMaterializedValue<Task<Done>> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
        {
            var completion = new TaskCompletionSource<Done>(TaskCreationOptions.RunContinuationsAsynchronously);
            return new LogicAndMaterializedValue<Task<Done>>(new Logic(this, settings, completion), completion.Task);
        }

        private sealed class Logic : TimerGraphStageLogic
        {
            private readonly CommitterStage _stage;
            private readonly CommitterSettings _settings;
            private readonly TaskCompletionSource<Done> _completion;
            private readonly HashSet<ConsumerSession> _dirty = new();
            // Every session seen: the last commit waits for each one's background commit, dirty since or not.
            private readonly HashSet<ConsumerSession> _seen = new();
            private int _sinceCommit;

            public Logic(CommitterStage stage, CommitterSettings settings, TaskCompletionSource<Done> completion) : base(stage.Shape)
            {
                _stage = stage;
                _settings = settings;
                _completion = completion;
                SetHandler(stage._in, onPush: OnPush, onUpstreamFinish: OnFinish, onUpstreamFailure: OnFailure);
            }

            public override void PreStart()
            {
                ScheduleRepeatedly("commit", _settings.MaxInterval);
                Pull(_stage._in);
            }

            public override void PostStop() =>
                _completion.TrySetException(new AbruptStageTerminationException(this));

            // Every session, not only those with new acknowledgements: a commit limit (an external store catching up)
            // may let an idle stream's tail through since the last commit. A session with nothing new costs no round trip.
            protected override void OnTimer(object timerKey)
            {
                foreach (var session in _seen)
                {
                    session.CommitInBackground();
                }

                _dirty.Clear();
                _sinceCommit = 0;
            }

            private void OnPush()
            {
                var offset = Grab(_stage._in);
                offset.Session.Acknowledge(offset);
                if (_dirty.Add(offset.Session))
                {
                    _seen.Add(offset.Session);
                }
                if (++_sinceCommit >= _settings.MaxBatch)
                {
                    CommitAll();
                }

                Pull(_stage._in);
            }

            private void OnFinish()
            {
                CommitAll(wait: true);
                _completion.TrySetResult(Done.Instance);
                CompleteStage();
            }

            private void OnFailure(Exception cause)
            {
                // Commit what was acknowledged before the failure: those outputs are safely written.
                CommitAll(wait: true);
                _completion.TrySetException(cause);
                FailStage(cause);
            }

            // A commit is a round trip to the group coordinator: off this stage's thread, which the whole stream
            // shares (see ConsumerSession.CommitInBackground). The last one, at the end, is waited for.
            private void CommitAll(bool wait = false)
            {
                foreach (var session in wait ? _seen : _dirty)
                {
                    if (wait)
                    {
                        session.CommitAcknowledged(); // after the one under way, if any
                    }
                    else
                    {
                        session.CommitInBackground();
                    }
                }

                _dirty.Clear();
                _sinceCommit = 0;
            }
        }
    }
}
