using System.Threading.Channels;

namespace Forge.KubeApiEmulator.Storage;

/// <summary>A live watch: changes of one storage after its starting point, pushed by the store as they commit.</summary>
internal sealed class WatchSubscription(string storage)
{
    public string Storage { get; } = storage;

    public Channel<StoredEvent> Events { get; } = Channel.CreateUnbounded<StoredEvent>(new UnboundedChannelOptions { SingleReader = true });
}
