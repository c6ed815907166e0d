using System.Buffers.Binary;
using System.Text;

namespace Forge.Protocol;

/// <summary>
/// Length-prefixed frames for the agent link (inside TLS): [u32 BE length of the rest][u8 manifest length]
/// [manifest, ASCII][payload]. Frames above <see cref="MaxFrameBytes"/> are refused before anything is allocated.
/// </summary>
public static class WireFrames
{
    public const int MaxFrameBytes = 1 << 20;

    public static async Task WriteAsync(Stream stream, IForgeWireMessage message, CancellationToken ct)
    {
        var manifest = Encoding.ASCII.GetBytes(WireCodec.ManifestOf(message));
        var payload = WireCodec.Encode(message);
        var length = 1 + manifest.Length + payload.Length;
        if (manifest.Length > byte.MaxValue || length > MaxFrameBytes)
            throw new WireFormatException($"frame for {message.GetType().Name} is too large ({length} bytes)");
        var frame = new byte[4 + length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)length);
        frame[4] = (byte)manifest.Length;
        manifest.CopyTo(frame.AsSpan(5));
        payload.CopyTo(frame.AsSpan(5 + manifest.Length));
        await stream.WriteAsync(frame, ct);
        await stream.FlushAsync(ct);
    }

    /// <summary>Reads one message; null at a clean end of stream between frames.</summary>
    public static async Task<IForgeWireMessage?> ReadAsync(Stream stream, CancellationToken ct)
    {
        var header = new byte[4];
        if (!await ReadExactlyOrEndAsync(stream, header, ct)) return null;
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length is < 2 or > MaxFrameBytes) throw new WireFormatException($"bad frame length {length}");
        var body = new byte[length];
        if (!await ReadExactlyOrEndAsync(stream, body, ct)) throw new WireFormatException("stream ended inside a frame");
        var manifestLength = body[0];
        if (1 + manifestLength > length) throw new WireFormatException("bad manifest length");
        var manifest = Encoding.ASCII.GetString(body, 1, manifestLength);
        return WireCodec.Decode(manifest, body.AsSpan(1 + manifestLength));
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream stream, byte[] buffer, CancellationToken ct)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), ct);
            if (n == 0)
            {
                if (read == 0) return false;
                throw new WireFormatException("stream ended inside a frame");
            }
            read += n;
        }
        return true;
    }
}
