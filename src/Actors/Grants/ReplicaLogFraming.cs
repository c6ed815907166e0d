using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Forge.Grants;

/// <summary>
/// Framing of the replica's append-only log: each record is <c>[payload length: u32 LE][checksum: first 8 bytes of
/// SHA-256(payload)][payload]</c>. A crash can leave the last record torn (short, or extended with garbage or zeros);
/// <see cref="Read"/> stops at the first record that is incomplete or fails its checksum and reports where, so the
/// writer truncates there. Records are appended one write and one fsync at a time, so only the last can be torn: a bad
/// record followed by a good one is damage, not a crash, and <see cref="Read"/> throws rather than drop durable votes.
/// Pure (bytes in, records out).
/// </summary>
public static class ReplicaLogFraming
{
    public const int HeaderBytes = 12;

    /// <summary>No record is this large (a 1,000-pool state is ~250 KiB): a bigger length is garbage, not a record.</summary>
    public const int MaxPayloadBytes = 256 * 1024 * 1024;

    public static byte[] Frame(ReadOnlySpan<byte> payload)
    {
        var record = new byte[HeaderBytes + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)payload.Length);
        Checksum(payload).CopyTo(record.AsSpan(4));
        payload.CopyTo(record.AsSpan(HeaderBytes));
        return record;
    }

    /// <param name="Payloads">Every whole record, in order.</param>
    /// <param name="ValidLength">Bytes up to the end of the last whole record; the rest is a torn tail.</param>
    public sealed record Contents(IReadOnlyList<ReadOnlyMemory<byte>> Payloads, long ValidLength)
    {
        public bool HasTornTail(long fileLength) => ValidLength < fileLength;
    }

    public static Contents Read(ReadOnlyMemory<byte> file)
    {
        var payloads = new List<ReadOnlyMemory<byte>>();
        var at = 0;
        while (RecordAt(file, at) is { } payload)
        {
            payloads.Add(payload);
            at += HeaderBytes + payload.Length;
        }
        for (var later = at + 1; later < file.Length; later++)
            if (RecordAt(file, later) is not null)
                throw new InvalidDataException($"replica log damaged: a bad record at byte {at} is followed by a good one at byte {later}");
        return new Contents(payloads, at);
    }

    private static ReadOnlyMemory<byte>? RecordAt(ReadOnlyMemory<byte> file, int at)
    {
        if (file.Length - at < HeaderBytes) return null;
        var header = file.Span.Slice(at, HeaderBytes);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (length == 0 || length > MaxPayloadBytes || length > file.Length - at - HeaderBytes) return null;
        var payload = file.Slice(at + HeaderBytes, (int)length);
        return header[4..].SequenceEqual(Checksum(payload.Span)) ? payload : null;
    }

    private static byte[] Checksum(ReadOnlySpan<byte> payload) => SHA256.HashData(payload)[..8];
}
