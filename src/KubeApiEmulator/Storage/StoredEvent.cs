using System.Text.Json.Nodes;

namespace Forge.KubeApiEmulator.Storage;

/// <summary>
/// One change in the history: ADDED, MODIFIED or DELETED, with the object as it was at that resourceVersion and,
/// for MODIFIED, as it was before (so a filtered watch can tell an object entering or leaving its selector).
/// </summary>
internal sealed record StoredEvent(long ResourceVersion, string Storage, string Type, JsonObject Object, JsonObject? Previous = null);
