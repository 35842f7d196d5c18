using System.Buffers;
using System.Text.Json;

namespace Fraud.Actors.Transactions;

/// <summary>
/// Writes JSON through one buffer and one <see cref="Utf8JsonWriter"/> per thread, reused record after record: the only
/// allocation left per record is the resulting array, which goes to Kafka.
/// </summary>
public static class PooledJson
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? _writer;

    public static byte[] Write<T>(T value, Action<Utf8JsonWriter, T> write)
    {
        var (buffer, writer) = Empty();
        writer.Reset(buffer);
        write(writer, value);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// <paramref name="objectWithoutEnd"/> (a JSON object's bytes up to, not including, its closing brace; at least one
    /// property) followed by the properties <paramref name="writeProperties"/> writes, and the closing brace.
    /// </summary>
    public static byte[] Extend<T>(ReadOnlySpan<byte> objectWithoutEnd, T value, Action<Utf8JsonWriter, T> writeProperties)
    {
        var (buffer, writer) = Empty();
        buffer.Write(objectWithoutEnd);
        var joint = buffer.WrittenCount;
        // The writer writes the new properties as an object of their own; its opening brace becomes the comma that
        // continues the input's object, and its closing brace closes both.
        writer.Reset(buffer);
        writer.WriteStartObject();
        writeProperties(writer, value);
        writer.WriteEndObject();
        writer.Flush();
        var result = buffer.WrittenSpan.ToArray();
        result[joint] = (byte)',';
        return result;
    }

    /// <summary>This thread's buffer, emptied, and its writer (to be reset onto the buffer once it holds what goes first).</summary>
    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer) Empty()
    {
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(512);
        var writer = _writer ??= new Utf8JsonWriter(buffer);
        buffer.ResetWrittenCount();
        return (buffer, writer);
    }
}
