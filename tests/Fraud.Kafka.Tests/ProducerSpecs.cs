using System.Text;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit.Xunit2;
using Confluent.Kafka;
using Fraud.Kafka.Producing;
using Fraud.Kafka.Settings;

namespace Fraud.Kafka.Tests;

[Collection(KafkaCollection.Name)]
public sealed class ProducerSpecs(EmbeddedBrokerFixture kafka) : TestKit
{
    private static Message<byte[]?, byte[]?> Message(int i) => new() { Key = Encoding.UTF8.GetBytes($"k{i}"), Value = Encoding.UTF8.GetBytes(i.ToString()) };

    [Fact]
    public async Task Should_emit_each_delivery_report_in_order_with_its_pass_through()
    {
        var topic = kafka.NewTopic(partitions: 3);
        using var producer = KafkaProducer.Create(kafka.Settings);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var delivered = await Source.From(Enumerable.Range(0, 300))
            .Select(i => new ProducerRecord<int>(topic, Message(i), i))
            .Via(KafkaProducer.Flow<int>(producer, maxInFlight: 64))
            .RunWith(Sink.Seq<DeliveredRecord<int>>(), Sys.Materializer());

        var finished = System.Diagnostics.Stopwatch.GetTimestamp();
        Assert.Equal(Enumerable.Range(0, 300), delivered.Select(d => d.PassThrough));
        Assert.All(delivered, d =>
        {
            Assert.InRange(d.AcknowledgedAt, started, finished); // when its report came, not when the flow emitted it
            Assert.Equal(PersistenceStatus.Persisted, d.Delivery.Status);
            Assert.Equal(topic, d.Delivery.Topic);
            Assert.True(d.Delivery.Offset.Value >= 0);
        });
    }

    [Fact]
    public async Task Should_fail_the_stream_with_the_reason_when_a_delivery_fails()
    {
        // Nothing listens on port 1: every delivery times out after message.timeout.ms.
        var unreachable = new KafkaSettings
        {
            BootstrapServers = "127.0.0.1:1",
            Producer = { ["message.timeout.ms"] = "1500" },
        };
        using var producer = KafkaProducer.Create(unreachable);
        var run = Source.From(Enumerable.Range(0, 5))
            .Select(i => new ProducerRecord<int>("anywhere", Message(i), i))
            .Via(KafkaProducer.Flow<int>(producer))
            .RunWith(Sink.Seq<DeliveredRecord<int>>(), Sys.Materializer());

        var error = await Assert.ThrowsAsync<KafkaProducerFatalException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("delivery failed on topic 'anywhere'", error.Message);
        Assert.Contains("Local_MsgTimedOut", error.Message);
    }
}
