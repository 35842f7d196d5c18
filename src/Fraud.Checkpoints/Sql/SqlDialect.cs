using System.Data.Common;

namespace Fraud.Checkpoints.Sql;

/// <summary>What differs between the databases the checkpoint store runs on: types, connections, where the work runs.</summary>
internal abstract class SqlDialect : IDisposable
{
    /// <summary>The types of the tables' integer and blob columns, and what follows a table's definition.</summary>
    public abstract (string Integer, string Blob, string TableOptions) Types { get; }

    /// <summary>Rows per insert statement: a statement's fixed costs are paid once per that many.</summary>
    public abstract int RowsPerStatement { get; }

    public abstract DbConnection CreateConnection();

    /// <summary>Run once per connection opened, before it is used.</summary>
    public virtual Task PrepareAsync(DbConnection connection) => Task.CompletedTask;

    /// <summary>Runs a piece of the store's work where this database wants it.</summary>
    public abstract Task<T> Run<T>(Func<Task<T>> work);

    /// <summary>A chunk of a pooled array as a parameter's value, without copying it.</summary>
    public abstract object Blob(ArraySegment<byte> chunk);

    /// <summary>Another node created the tables at the same moment: one of them won, which is all it takes.</summary>
    public virtual bool LostTableRace(Exception e) => false;

    public abstract void Dispose();
}
