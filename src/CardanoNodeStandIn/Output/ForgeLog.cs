using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Forge.StandIn.Native;

namespace Forge.StandIn.Output;

/// <summary>
/// The ground truth for "two forgers at once": one JSON line per forged slot
/// (<c>{"slot":N,"pool":…,"node":…,"at":…,"mono":…}</c>) and per forging transition
/// (<c>{"event":"on"|"off","pool":…,"node":…,"at":…,"mono":…}</c>), appended and flushed line by line so a
/// <c>kill -9</c> loses nothing that was written. <c>mono</c> is CLOCK_MONOTONIC in ns (one clock for all processes
/// of a machine, untouched by wall-clock fault injection).
/// </summary>
internal sealed class ForgeLog(string? path, string pool, string node) : IDisposable
{
    private readonly object _gate = new();
    private readonly FileStream? _file = path is null
        ? null
        : new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);

    public void Forged(long slot) => Append(new JsonObject { ["slot"] = slot });

    public void Transition(bool on) => Append(new JsonObject { ["event"] = on ? "on" : "off" });

    private void Append(JsonObject first)
    {
        if (_file is null) return;
        first["pool"] = pool;
        first["node"] = node;
        first["at"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        first["mono"] = LinuxClock.MonotonicNanoseconds();
        var bytes = Encoding.UTF8.GetBytes(first.ToJsonString() + "\n");
        lock (_gate)
        {
            _file.Write(bytes);
            _file.Flush();
        }
    }

    public void Dispose() => _file?.Dispose();
}
