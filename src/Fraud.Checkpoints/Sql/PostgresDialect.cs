using System.Data.Common;
using Npgsql;

namespace Fraud.Checkpoints.Sql;

/// <summary>PostgreSQL, what a cluster shares: its driver is truly asynchronous, so saves run on the thread pool.</summary>
internal sealed class PostgresDialect(string connectionString) : SqlDialect
{
    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);

    public override (string Integer, string Blob, string TableOptions) Types => ("BIGINT", "BYTEA", "");

    public override int RowsPerStatement => 100;

    public override DbConnection CreateConnection() => _source.CreateConnection();

    public override Task<T> Run<T>(Func<Task<T>> work) => Task.Run(work);

    public override object Blob(ArraySegment<byte> chunk) => new ReadOnlyMemory<byte>(chunk.Array, chunk.Offset, chunk.Count);

    public override bool LostTableRace(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable };

    public override void Dispose() => _source.Dispose();
}
