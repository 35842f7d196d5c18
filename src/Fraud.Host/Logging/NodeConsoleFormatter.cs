using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Fraud.Host.Logging;

/// <summary>Options of <see cref="NodeConsoleFormatter"/>, set from <c>Logging:Format</c> and the node's name.</summary>
public sealed class NodeFormatterOptions : ConsoleFormatterOptions
{
    public bool Json { get; set; }

    public string Node { get; set; } = "";

    public SecretRedactor Redactor { get; set; } = new([]);
}

/// <summary>
/// One line per event, naming the node: readable text, or (<c>Logging:Format=json</c>) one JSON object with
/// <c>time</c>, <c>level</c>, <c>node</c>, <c>category</c>, <c>message</c> and <c>exception</c>, for log shippers.
/// Every line passes through the <see cref="SecretRedactor"/>.
/// </summary>
public sealed class NodeConsoleFormatter(Microsoft.Extensions.Options.IOptionsMonitor<NodeFormatterOptions> options)
    : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "fraud-node";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        textWriter.WriteLine(Format(options.CurrentValue, DateTimeOffset.UtcNow, logEntry.LogLevel, logEntry.Category, message ?? "", logEntry.Exception));
    }

    /// <summary>The line for one event (pure, so that specs read it directly).</summary>
    public static string Format(NodeFormatterOptions options, DateTimeOffset time, LogLevel level, string category, string message, Exception? exception)
    {
        var redactor = options.Redactor;
        message = redactor.Redact(message);
        var error = exception is null ? null : redactor.Redact(exception.ToString());
        if (!options.Json)
        {
            var line = $"{time:yyyy-MM-ddTHH:mm:ss.fffZ} {Short(level)} [{options.Node}] {category}: {message}";
            return error is null ? line : $"{line} {error.ReplaceLineEndings(" | ")}";
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("time", time.UtcDateTime);
            json.WriteString("level", level.ToString());
            json.WriteString("node", options.Node);
            json.WriteString("category", category);
            json.WriteString("message", message);
            if (error is not null)
            {
                json.WriteString("exception", error);
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Short(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}

/// <summary>Wires the formatter into a logging builder.</summary>
public static class NodeLogging
{
    /// <summary>
    /// Console logging through <see cref="NodeConsoleFormatter"/>: our categories at Information, frameworks at
    /// Warning (Kestrel, Akka and librdkafka are chatty at Information).
    /// </summary>
    public static ILoggingBuilder AddNodeConsole(this ILoggingBuilder logging, string node, bool json, SecretRedactor redactor)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddFilter("Fraud", LogLevel.Information);
        // A failed start (say, the dashboard's port is taken) is reported by the command as one 'error:' line; the
        // host's own multi-line stack trace of it would only bury that line.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        logging.AddConsole(o => o.FormatterName = NodeConsoleFormatter.FormatterName);
        logging.AddConsoleFormatter<NodeConsoleFormatter, NodeFormatterOptions>(o =>
        {
            o.Json = json;
            o.Node = node;
            o.Redactor = redactor;
        });
        return logging;
    }
}
