using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Json;

namespace Forge.KubeApiEmulator.Printing;

/// <summary>The apiserver's printing columns for the built-in kinds the emulator serves (as kubectl shows them).</summary>
internal static class BuiltInColumns
{
    public static ImmutableArray<TableColumn> Pods { get; } =
    [
        TableColumn.NameColumn,
        new("Ready", "string", "", "The aggregate readiness state of this pod for accepting traffic.", 0, (o, _) => PodReady(o)),
        new("Status", "string", "", "The aggregate status of the containers in this pod.", 0,
            (o, _) => JsonText.Str(o, "metadata.deletionTimestamp") is not null
                ? "Terminating"
                : JsonText.Str(o, "status.reason") ?? JsonText.Str(o, "status.phase") ?? "Unknown"),
        new("Restarts", "string", "", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.", 0,
            (o, _) => PodRestarts(o)),
        TableColumn.Age(),
        new("IP", "string", "", "The IP address assigned to the pod", 1, (o, _) => JsonText.Str(o, "status.podIP") ?? "<none>"),
        new("Node", "string", "", "The name of the node to which the pod is assigned", 1, (o, _) => JsonText.Str(o, "spec.nodeName") ?? "<none>"),
        new("Nominated Node", "string", "", "The name of the node where the pod is nominated to run", 1, (_, _) => "<none>"),
        new("Readiness Gates", "string", "", "The readiness gates of the pod", 1, (_, _) => "<none>"),
    ];

    public static ImmutableArray<TableColumn> StatefulSets { get; } =
    [
        TableColumn.NameColumn,
        new("Ready", "string", "", "Number of the pod with ready state", 0,
            (o, _) => $"{JsonText.At(o, "status.readyReplicas")?.ToJsonString() ?? "0"}/{JsonText.At(o, "spec.replicas")?.ToJsonString() ?? "0"}"),
        TableColumn.Age(),
        new("Containers", "string", "", "Names of each container in the template.", 1,
            (o, _) => string.Join(",", Containers(o).Select(c => JsonText.Str(c, "name")))),
        new("Images", "string", "", "Images referenced by each container in the template.", 1,
            (o, _) => string.Join(",", Containers(o).Select(c => JsonText.Str(c, "image")))),
    ];

    public static ImmutableArray<TableColumn> Leases { get; } =
    [
        TableColumn.NameColumn,
        new("Holder", "string", "", "The holder of the lease.", 0, (o, _) => JsonText.Str(o, "spec.holderIdentity") ?? ""),
        TableColumn.Age(),
    ];

    public static ImmutableArray<TableColumn> Namespaces { get; } =
    [
        TableColumn.NameColumn,
        new("Status", "string", "", "The status of the namespace", 0, (o, _) => JsonText.Str(o, "status.phase") ?? "Active"),
        TableColumn.Age(),
    ];

    public static ImmutableArray<TableColumn> Crds { get; } =
    [
        TableColumn.NameColumn,
        new("Created At", "date", "", "", 0, (o, _) => JsonText.Str(o, "metadata.creationTimestamp")),
    ];

    public static ImmutableArray<TableColumn> Events { get; } =
    [
        new("Last Seen", "string", "", "Time since the most recent occurrence of this event", 0,
            (o, now) => TableColumn.AgeOf(o["lastTimestamp"] ?? o["eventTime"] ?? o["metadata"]?["creationTimestamp"], now) ?? "<unknown>"),
        new("Type", "string", "", "Type of this event (Normal, Warning)", 0, (o, _) => JsonText.Str(o, "type") ?? ""),
        new("Reason", "string", "", "Why the action was taken", 0, (o, _) => JsonText.Str(o, "reason") ?? ""),
        new("Object", "string", "", "The object this event is about", 0,
            (o, _) => $"{JsonText.Str(o, "involvedObject.kind")?.ToLowerInvariant()}/{JsonText.Str(o, "involvedObject.name")}"),
        new("Message", "string", "", "A human-readable description of the event", 0, (o, _) => JsonText.Str(o, "message") ?? ""),
        new("Count", "integer", "", "The number of times this event has occurred", 1, (o, _) => o["count"]?.DeepClone() ?? 1),
        new("Name", "string", "name", "", 1, (o, _) => JsonText.Str(o, "metadata.name")),
    ];

    private static IEnumerable<JsonObject> Containers(JsonObject o) =>
        (JsonText.At(o, "spec.template.spec.containers") as JsonArray ?? []).OfType<JsonObject>();

    private static string PodReady(JsonObject pod)
    {
        var statuses = (JsonText.At(pod, "status.containerStatuses") as JsonArray ?? []).OfType<JsonObject>().ToList();
        var total = (JsonText.At(pod, "spec.containers") as JsonArray)?.Count ?? statuses.Count;
        var ready = statuses.Count(s => s["ready"]?.GetValue<bool>() == true);
        return $"{ready}/{total}";
    }

    private static string PodRestarts(JsonObject pod) =>
        (JsonText.At(pod, "status.containerStatuses") as JsonArray ?? [])
        .OfType<JsonObject>()
        .Sum(s => JsonText.Long(s["restartCount"]) ?? 0)
        .ToString();
}
