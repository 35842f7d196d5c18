using Fraud.Checkpoints;
using Fraud.Actors.Checkpoints;
using Fraud.Host.Configuration;
using Fraud.Host.Hosting;

namespace Fraud.Host.Hosting;

/// <summary>Builds the configured <see cref="ICheckpointStore"/>.</summary>
public static class CheckpointStores
{
    /// <param name="embeddedBroker">This process runs the embedded broker: with <c>auto</c>, nothing is persisted.</param>
    public static ICheckpointStore Create(CheckpointSettings settings, bool embeddedBroker) =>
        settings.Store.ToLowerInvariant() switch
        {
            "auto" when embeddedBroker => new InMemoryCheckpointStore(),
            "auto" or "sqlite" => SqlCheckpointStore.Sqlite(settings.ConnectionString),
            "postgres" or "postgresql" => SqlCheckpointStore.Postgres(settings.ConnectionString),
            "memory" => new InMemoryCheckpointStore(),
            _ => throw new StartupException($"Checkpoints:Store must be auto, sqlite, postgres or memory, not '{settings.Store}'"),
        };

    /// <summary>The store's name as it will be used, for the start-up line.</summary>
    public static string Describe(ICheckpointStore store, CheckpointSettings settings) => store switch
    {
        InMemoryCheckpointStore => "in memory (nothing survives this process)",
        _ => $"{settings.Store} ({Redacted(settings.ConnectionString)})",
    };

    private static string Redacted(string connectionString)
    {
        var builder = new System.Data.Common.DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connectionString;
        }
        catch (ArgumentException)
        {
            return "?";
        }

        foreach (var key in new[] { "Password", "Pwd" })
        {
            if (builder.ContainsKey(key))
            {
                builder[key] = "***";
            }
        }

        return builder.ConnectionString;
    }
}
