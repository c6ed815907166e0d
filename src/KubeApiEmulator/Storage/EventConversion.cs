using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Json;
using Forge.KubeApiEmulator.Resources;

namespace Forge.KubeApiEmulator.Storage;

/// <summary>
/// events.k8s.io/v1 and core v1 Events are two views of one stored Event, as on a real apiserver, so an
/// Event recorded through either API shows up in <c>kubectl describe</c> (which reads core v1).
/// </summary>
internal static class EventConversion
{
    // events.k8s.io/v1 field name -> core v1 field name
    private static readonly (string Events, string Core)[] Renames =
    [
        ("regarding", "involvedObject"),
        ("note", "message"),
        ("reportingController", "reportingComponent"),
        ("deprecatedSource", "source"),
        ("deprecatedFirstTimestamp", "firstTimestamp"),
        ("deprecatedLastTimestamp", "lastTimestamp"),
        ("deprecatedCount", "count"),
    ];

    public static JsonObject ToStorage(ResourceKind kind, JsonObject obj) =>
        kind == BuiltInKinds.Events ? Rename(obj, toCore: true, "v1") : obj;

    public static JsonObject FromStorage(ResourceKind kind, JsonObject obj) =>
        kind == BuiltInKinds.Events ? Rename(obj, toCore: false, "events.k8s.io/v1") : obj;

    private static JsonObject Rename(JsonObject obj, bool toCore, string apiVersion)
    {
        var result = JsonText.Clone(obj);
        foreach (var (events, core) in Renames)
        {
            var (from, to) = toCore ? (events, core) : (core, events);
            if (result.Remove(from, out var value))
            {
                result[to] = value;
            }
        }

        result["apiVersion"] = apiVersion;
        return result;
    }
}
