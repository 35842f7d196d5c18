using System.Data.Common;
using Fraud.Actors.Checkpoints;

namespace Fraud.Checkpoints.Sql;

/// <summary>ADO.NET commands as the store writes them: parameters by name, many rows per prepared statement.</summary>
internal static class Sql
{
    /// <summary>
    /// Writes <paramref name="rows"/> with statements of up to <paramref name="perStatement"/> rows each (one prepared
    /// statement serves every full chunk, one more the rest). Row <c>i</c>'s value of each of <paramref name="columns"/>
    /// is bound as the column's name followed by <c>i</c> (<c>@a0</c>, <c>@s0</c>, <c>@a1</c>…), after the partition's key.
    /// </summary>
    public static async Task WriteRowsAsync<T>(DbConnection connection, DbTransaction transaction, PartitionKey key, IReadOnlyList<T> rows,
        int perStatement, Func<int, string> sql, params (string Name, Func<T, object> Value)[] columns)
    {
        var names = columns.Select(c => c.Name).ToArray();
        DbCommand? full = null;
        try
        {
            for (var start = 0; start < rows.Count; start += perStatement)
            {
                var count = Math.Min(perStatement, rows.Count - start);
                var command = count == perStatement
                    ? full ??= Statement(connection, transaction, key, sql(count), count, names)
                    : Statement(connection, transaction, key, sql(count), count, names);
                try
                {
                    var keyParameters = command.Parameters.Count - count * columns.Length;
                    for (var i = 0; i < count; i++)
                    {
                        for (var c = 0; c < columns.Length; c++)
                        {
                            Bind(command.Parameters[keyParameters + i * columns.Length + c], columns[c].Value(rows[start + i]));
                        }
                    }

                    await command.ExecuteNonQueryAsync();
                }
                finally
                {
                    if (command != full)
                    {
                        await command.DisposeAsync();
                    }
                }
            }
        }
        finally
        {
            if (full is not null)
            {
                await full.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Sets a parameter of a prepared statement: a SQLite blob given as the start of an array is bound as the array,
    /// with the slice's length as the parameter's size (SQLite's driver truncates a blob to its parameter's size). A
    /// column's values are all of one kind, so a size set here only ever applies to the next blob of the same column.
    /// </summary>
    private static void Bind(DbParameter parameter, object value)
    {
        if (value is ArraySegment<byte> { Offset: 0 } slice)
        {
            parameter.Value = slice.Array;
            parameter.Size = slice.Count;
        }
        else
        {
            parameter.Value = value;
        }
    }

    /// <summary>A prepared statement: the partition's key bound, then one parameter per row and column (<c>@a0, @s0, @a1…</c>).</summary>
    private static DbCommand Statement(DbConnection connection, DbTransaction transaction, PartitionKey key, string sql, int rows, string[] columns)
    {
        var command = Command(connection, transaction, sql, Key(key));
        for (var i = 0; i < rows; i++)
        {
            foreach (var column in columns)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = column + i;
                parameter.Value = DBNull.Value;
                command.Parameters.Add(parameter);
            }
        }

        command.Prepare();
        return command;
    }

    public static (string Name, object Value)[] Key(PartitionKey key) => [("@g", key.Group), ("@t", key.Topic), ("@p", key.Partition)];

    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    public static async Task<int> Execute(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }
}
