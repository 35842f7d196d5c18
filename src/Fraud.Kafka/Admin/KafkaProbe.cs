using Confluent.Kafka;
using Fraud.Kafka.Native;
using Fraud.Kafka.Settings;

namespace Fraud.Kafka.Admin;

/// <summary>Fails fast, with one clear sentence, when the brokers cannot be reached.</summary>
public static class KafkaProbe
{
    /// <summary>Returns null when reachable, else the reason.</summary>
    public static string? Check(KafkaSettings settings, TimeSpan timeout)
    {
        Librdkafka.EnsureLoaded();
        try
        {
            using var admin = new AdminClientBuilder(settings.ToAdminConfig()).SetLogHandler((_, _) => { }).Build();
            var metadata = admin.GetMetadata(timeout);
            return metadata.Brokers.Count == 0 ? $"no broker answered at {settings.BootstrapServers}" : null;
        }
        catch (KafkaException e)
        {
            return $"cannot reach Kafka at {settings.BootstrapServers}: {e.Error.Reason}";
        }
        catch (ArgumentException e)
        {
            return $"invalid Kafka configuration: {e.Message}";
        }
    }
}
