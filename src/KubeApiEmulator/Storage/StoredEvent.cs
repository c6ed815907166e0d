using System.Text.Json.Nodes;

namespace Forge.KubeApiEmulator.Storage;

/// <summary>One change in the history: ADDED, MODIFIED or DELETED, with the object as it was at that resourceVersion.</summary>
internal sealed record StoredEvent(long ResourceVersion, string Storage, string Type, JsonObject Object);
