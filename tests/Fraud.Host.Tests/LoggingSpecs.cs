using System.Text.Json;
using Fraud.Host.Configuration;
using Fraud.Host.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Fraud.Host.Tests;

public sealed class LoggingSpecs
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private static FraudSettings WithSecrets() => FraudSettings.Bind(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Kafka:Common:sasl.username"] = "detector",
        ["Kafka:Common:sasl.password"] = "hunter2-sasl",
        ["Kafka:Consumer:ssl.key.password"] = "tls-key-pass",
        ["Kafka:Producer:compression.type"] = "lz4",
    }).Build());

    [Fact]
    public void Should_write_one_json_object_per_event_naming_the_node()
    {
        var options = new NodeFormatterOptions { Json = true, Node = "node-7", Redactor = new SecretRedactor([]) };
        var line = NodeConsoleFormatter.Format(options, At, LogLevel.Warning, "Fraud.Kafka", "commit failed", new InvalidOperationException("boom"));

        Assert.DoesNotContain('\n', line);
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.Equal("node-7", root.GetProperty("node").GetString());
        Assert.Equal("Warning", root.GetProperty("level").GetString());
        Assert.Equal("Fraud.Kafka", root.GetProperty("category").GetString());
        Assert.Equal("commit failed", root.GetProperty("message").GetString());
        Assert.Contains("boom", root.GetProperty("exception").GetString());
        Assert.Equal(At, root.GetProperty("time").GetDateTimeOffset());
    }

    [Fact]
    public void Should_write_readable_text_with_the_node_when_not_json()
    {
        var options = new NodeFormatterOptions { Json = false, Node = "node-7" };
        var line = NodeConsoleFormatter.Format(options, At, LogLevel.Information, "Fraud.Host", "started", null);
        Assert.Equal("2026-12-01T08:00:00.000Z info [node-7] Fraud.Host: started", line);
    }

    [Fact]
    public void Should_mask_configured_secrets_in_messages_and_exceptions()
    {
        var options = new NodeFormatterOptions { Json = true, Node = "n", Redactor = SecretRedactor.For(WithSecrets()) };
        var line = NodeConsoleFormatter.Format(options, At, LogLevel.Error, "Fraud.Kafka",
            "auth failed for detector with hunter2-sasl", new Exception("ssl key tls-key-pass rejected"));

        Assert.DoesNotContain("hunter2-sasl", line);
        Assert.DoesNotContain("tls-key-pass", line);
        Assert.Contains("detector", line); // a user name is not a secret
        Assert.Contains(SecretRedactor.Mask, line);
    }

    [Fact]
    public void Should_treat_only_secret_property_names_as_secrets()
    {
        Assert.True(SecretRedactor.IsSecretName("sasl.password"));
        Assert.True(SecretRedactor.IsSecretName("ssl.key.pem"));
        Assert.True(SecretRedactor.IsSecretName("sasl.oauthbearer.client.secret"));
        Assert.False(SecretRedactor.IsSecretName("compression.type"));
        Assert.False(SecretRedactor.IsSecretName("sasl.username"));
        Assert.Equal("lz4 stays", SecretRedactor.For(WithSecrets()).Redact("lz4 stays"));
    }
}
