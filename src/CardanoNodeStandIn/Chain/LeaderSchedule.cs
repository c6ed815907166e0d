using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Forge.StandIn.Chain;

/// <summary>
/// Which slots the pool leads: a deterministic draw per (pool, slot), so every node of one pool has the same schedule
/// (as with one VRF key) and two forgers of one pool would fight over the same slots. Fraction 1.0 leads every slot.
/// </summary>
internal sealed record LeaderSchedule(string Pool, double Fraction)
{
    public bool IsLeader(long slot)
    {
        if (Fraction >= 1.0) return true;
        if (Fraction <= 0.0) return false;
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{Pool}/{slot}"), hash);
        var draw = BinaryPrimitives.ReadUInt64BigEndian(hash) / (double)ulong.MaxValue;
        return draw < Fraction;
    }
}
