using System.Net.Sockets;
using System.Text;

namespace Forge.Fence.Control;

/// <summary>
/// Serves <see cref="ControlProtocol"/> on a Unix domain socket in a private (0700) directory: one dedicated accept
/// thread and one thread per connection (a handful at most), so no reply waits on the thread pool.
/// </summary>
internal sealed class ControlServer : IDisposable
{
    private const UnixFileMode PrivateDir = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly Socket _listener;
    private readonly FenceLoop _fence;
    private readonly object _watchersGate = new();
    private readonly List<StreamWriter> _watchers = [];
    private volatile bool _stopping;

    public ControlServer(string controlDir, FenceLoop fence)
    {
        _fence = fence;
        EnsurePrivateDirectory(controlDir);
        SocketPath = Path.Combine(controlDir, ControlProtocol.SocketFileName);
        File.Delete(SocketPath); // a stale socket from an earlier run
        // bind under a temporary name and rename once listening: the socket path appears only when it accepts
        var binding = SocketPath + ".binding";
        File.Delete(binding);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(binding));
        File.SetUnixFileMode(binding, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _listener.Listen(8);
        File.Move(binding, SocketPath);
        new Thread(Accept) { IsBackground = true, Name = "control-accept" }.Start();
    }

    public string SocketPath { get; }

    /// <summary>Creates the directory 0700, or checks that an existing one is 0700 and ours (else refuses to start).</summary>
    public static void EnsurePrivateDirectory(string dir)
    {
        if (!Directory.Exists(dir)) Directory.CreateDirectory(dir, PrivateDir);
        var mode = File.GetUnixFileMode(dir);
        if ((mode & ~PrivateDir) != 0)
            throw new InvalidOperationException($"control directory {dir} must be mode 0700, is {Convert.ToString((int)mode, 8)}");
    }

    /// <summary>Sends one line to every WATCH connection; a slow or gone watcher is dropped, never waited for.</summary>
    public void Broadcast(string line)
    {
        lock (_watchersGate)
        {
            for (var i = _watchers.Count - 1; i >= 0; i--)
            {
                try
                {
                    _watchers[i].WriteLine(line);
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException)
                {
                    _watchers.RemoveAt(i);
                }
            }
        }
    }

    private void Accept()
    {
        while (!_stopping)
        {
            try
            {
                var client = _listener.Accept();
                client.SendTimeout = 1000;
                new Thread(() => Serve(client)) { IsBackground = true, Name = "control-conn" }.Start();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_stopping) return;
            }
        }
    }

    private void Serve(Socket client)
    {
        using var stream = new NetworkStream(client, ownsSocket: true);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        try
        {
            while (ReadLine(reader) is { } line)
            {
                var reply = Handle(ControlProtocol.Parse(line), writer);
                if (reply is null) return; // now a WATCH connection: Broadcast owns the writer
                writer.WriteLine(reply);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // the client went away
        }
        finally
        {
            lock (_watchersGate)
            {
                if (!_watchers.Contains(writer)) writer.Dispose();
            }
        }
    }

    private string? Handle(ControlCommand command, StreamWriter writer)
    {
        switch (command)
        {
            case ControlCommand.Ping:
                return $"PONG {FenceLoop.Now()}";
            case ControlCommand.Deadline d:
                return _fence.SetDeadline(d.BootNs, d.RequestId) is { } error ? $"ERR {error}" : $"OK {d.RequestId}";
            case ControlCommand.Disable d:
                _fence.Disable(d.RequestId);
                return $"OK {d.RequestId}";
            case ControlCommand.Status:
                return ControlProtocol.FormatStatus(_fence.Status, FenceLoop.Now());
            case ControlCommand.Watch:
                writer.WriteLine("OK watching");
                lock (_watchersGate) _watchers.Add(writer);
                // keep the connection open until the client closes it
                return WaitForClose(writer);
            case ControlCommand.Invalid i:
                return $"ERR {i.Reason}";
            default:
                return "ERR unknown-command";
        }
    }

    private static string? WaitForClose(StreamWriter writer)
    {
        var stream = (NetworkStream)writer.BaseStream;
        var buffer = new byte[64];
        try
        {
            while (stream.Read(buffer) > 0) { }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException) { }
        return null;
    }

    /// <summary>Reads one line of at most <see cref="ControlProtocol.MaxLineBytes"/>; a longer one ends the connection.</summary>
    private static string? ReadLine(StreamReader reader)
    {
        var line = new StringBuilder();
        while (reader.Read() is var c and >= 0)
        {
            if (c == '\n') return line.ToString().TrimEnd('\r');
            if (line.Length >= ControlProtocol.MaxLineBytes) throw new IOException("line too long");
            line.Append((char)c);
        }
        return line.Length > 0 ? line.ToString() : null;
    }

    public void Dispose()
    {
        _stopping = true;
        _listener.Dispose();
        File.Delete(SocketPath);
    }
}
