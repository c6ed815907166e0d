using System.Net;
using System.Net.Sockets;

namespace Forge.Coordinator.Tests.MultiNode;

/// <summary>A TCP listener on loopback that a coordinator can dial as if it were a peer, but whose TLS handshake never
/// succeeds: it closes the connection once the ClientHello arrives (a peer restarting, a partition cutting the
/// channel), or accepts and never answers (a peer hung or cut off after the SYN).</summary>
public sealed class BrokenTlsPeer : IDisposable
{
    public enum Behaviour { ClosesMidHandshake, NeverAnswers }

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _held = [];
    private int _accepted;

    public BrokenTlsPeer(Behaviour behaviour)
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = Serve(behaviour);
    }

    public int Port { get; }
    public int Accepted => Volatile.Read(ref _accepted);
    public string Endpoint => $"127.0.0.1:{Port}";
    public string Address => $"akka.ssl.tcp://{InProcessCoordinator.SystemName}@{Endpoint}";

    private async Task Serve(Behaviour behaviour)
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
                if (behaviour == Behaviour.NeverAnswers)
                {
                    lock (_held) _held.Add(socket);
                    continue;
                }
                var hello = new byte[1];
                await socket.ReceiveAsync(hello, _stop.Token); // the handshake has started
                socket.Close();
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_held) _held.ForEach(s => s.Dispose());
    }
}
