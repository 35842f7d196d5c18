using System.Reflection;
using System.Runtime.InteropServices;

namespace Fraud.Kafka.Native;

/// <summary>
/// Makes Confluent.Kafka and our own P/Invoke calls (the embedded broker) use one and the same librdkafka file.
/// On Debian 12 the default <c>librdkafka.so</c> cannot load (it needs libsasl2.so.3) and Confluent.Kafka quietly
/// falls back to <c>centos8-librdkafka.so</c>. We probe the same files in the same order, so the dynamic loader
/// hands both of us the one library already in memory. (We cannot push the path into Confluent.Kafka with
/// <c>Library.Load</c>: that path dlopens "libdl", which Debian 12 ships only as libdl.so.2.)
/// </summary>
public static class Librdkafka
{
    private static readonly Lock Gate = new();
    private static bool _initialized;
    private static IntPtr _handle;

    /// <summary>The file in use, or null when the platform default applies (non-Linux-x64).</summary>
    public static string? LoadedPath { get; private set; }

    /// <summary>Idempotent; call before creating any Kafka client.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_initialized)
            {
                return;
            }

            _initialized = true;
            foreach (var candidate in Candidates())
            {
                if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out _handle))
                {
                    LoadedPath = candidate;
                    break;
                }
            }

            NativeLibrary.SetDllImportResolver(typeof(Librdkafka).Assembly, Resolve);
        }
    }

    private static IEnumerable<string> Candidates()
    {
        if (!OperatingSystem.IsLinux())
        {
            yield break;
        }

        var rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        var folders = new[]
        {
            Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native"),
            AppContext.BaseDirectory,
        };
        foreach (var folder in folders)
        {
            yield return Path.Combine(folder, "librdkafka.so");
            yield return Path.Combine(folder, "centos8-librdkafka.so");
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name == MockCluster.LibraryName && _handle != IntPtr.Zero)
        {
            return _handle;
        }

        return IntPtr.Zero;
    }
}
