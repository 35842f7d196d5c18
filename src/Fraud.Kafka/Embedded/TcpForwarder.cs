using System.Net;
using System.Net.Sockets;

namespace Fraud.Kafka.Embedded;

/// <summary>
/// Relays TCP connections from a fixed port to the mock broker's random one, so that tools started elsewhere
/// (kcat, another process) can find the embedded broker at a well-known address.
/// </summary>
internal sealed class TcpForwarder : IDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();

    private TcpForwarder(TcpListener listener, IPEndPoint target)
    {
        _listener = listener;
        _target = target;
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static TcpForwarder Start(string host, int port, string target)
    {
        var separator = target.LastIndexOf(':');
        var targetEndPoint = new IPEndPoint(IPAddress.Parse(target[..separator]), int.Parse(target[(separator + 1)..]));
        var listener = new TcpListener(IPAddress.Parse(host), port);
        try
        {
            listener.Start();
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException($"Embedded broker: cannot listen on {host}:{port}: {e.Message}", e);
        }

        var forwarder = new TcpForwarder(listener, targetEndPoint);
        _ = forwarder.AcceptLoopAsync();
        return forwarder;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // Whatever one accept met (a connection reset in the backlog, descriptors running out for a moment),
                // the broker must go on accepting the next: clients reconnect on their own.
                await Task.Delay(10);
                continue;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (client)
        {
            client.NoDelay = true;
            try
            {
                await upstream.ConnectAsync(_target, _stop.Token);
                await using var a = new NetworkStream(client, ownsSocket: false);
                await using var b = new NetworkStream(upstream, ownsSocket: false);
                // Whichever side closes first ends the pair; Kafka clients reconnect on their own.
                await Task.WhenAny(a.CopyToAsync(b, 64 * 1024, _stop.Token), b.CopyToAsync(a, 64 * 1024, _stop.Token));
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // A dropped connection is the client's business; nothing to report.
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
