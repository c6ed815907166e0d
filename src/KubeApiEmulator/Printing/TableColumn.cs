using System.Text.Json.Nodes;

namespace Forge.KubeApiEmulator.Printing;

/// <summary>
/// One column of server-side printing. <paramref name="Cell"/> computes the cell from the stored object and
/// the current time (ages are rendered by the server, as the apiserver does).
/// </summary>
internal sealed record TableColumn(
    string Name,
    string Type,
    string Format,
    string Description,
    int Priority,
    Func<JsonObject, DateTimeOffset, JsonNode?> Cell)
{
    public JsonObject Definition() => new()
    {
        ["name"] = Name,
        ["type"] = Type,
        ["format"] = Format,
        ["description"] = Description,
        ["priority"] = Priority,
    };

    public static TableColumn NameColumn { get; } = new(
        "Name", "string", "name",
        "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
        0, (o, _) => o["metadata"]?["name"]?.DeepClone());

    public static TableColumn Age(int priority = 0) => new(
        "Age", "date", "",
        "CreationTimestamp is a timestamp representing the server time when this object was created.",
        priority, (o, now) => AgeOf(o["metadata"]?["creationTimestamp"], now));

    public static JsonNode? AgeOf(JsonNode? timestamp, DateTimeOffset now) =>
        timestamp is JsonValue v && v.TryGetValue<string>(out var s) && DateTimeOffset.TryParse(s, out var t)
            ? HumanDuration.Format(now - t)
            : null;
}
