using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Fraud.Checkpoints.Sql;

/// <summary>
/// A SQLite file. Its driver's async calls run synchronously, so all the store's work runs on one thread of its own, at a
/// lower priority than the records' (docs/decisions/0004): a save never holds an actor's dispatcher or the thread pool.
/// </summary>
internal sealed class SqliteDialect(string connectionString) : SqlDialect
{
    /// <summary>How much lower the store's thread's priority is than the process's (Linux nice value).</summary>
    public const int ThreadNiceness = 10;

    private readonly string _connectionString = new SqliteConnectionStringBuilder(connectionString) { Pooling = true, DefaultTimeout = 30 }.ToString();
    private readonly SingleThreadScheduler _thread = new("sqlite-checkpoints", niceness: ThreadNiceness);

    public override (string Integer, string Blob, string TableOptions) Types => ("INTEGER", "BLOB", " WITHOUT ROWID");

    // It finds a named parameter by scanning the statement's names: binding a statement costs the square of its size.
    public override int RowsPerStatement => 50;

    public override DbConnection CreateConnection() => new SqliteConnection(_connectionString);

    // 16 KiB pages (taken by a new file only): the log's chunks span pages, and SQLite writes a page per call.
    public override Task PrepareAsync(DbConnection connection) =>
        Sql.Execute(connection, null, "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;");

    public override Task<T> Run<T>(Func<Task<T>> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.None, _thread).Unwrap();

    // The driver binds the array, cut to the parameter's size (see Sql.Bind): the chunk's start of its array.
    public override object Blob(ArraySegment<byte> chunk) => chunk;

    public override void Dispose() => _thread.Dispose();
}
