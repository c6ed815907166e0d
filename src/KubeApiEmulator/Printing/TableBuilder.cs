using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Json;
using Forge.KubeApiEmulator.Resources;

namespace Forge.KubeApiEmulator.Printing;

/// <summary>
/// Server-side printing (<c>Accept: ...;as=Table;g=meta.k8s.io;v=v1</c>): kubectl's human output, including
/// <c>-o wide</c> (columns with priority &gt; 0), depends on it.
/// </summary>
internal static class TableBuilder
{
    public const string ContentType = "application/json;as=Table;v=v1;g=meta.k8s.io";

    /// <param name="includeObject">None, Metadata (default) or Object, as the query parameter says.</param>
    public static JsonObject Build(
        ResourceKind kind,
        IEnumerable<(JsonObject View, JsonObject Stored)> items,
        string resourceVersion,
        string? includeObject,
        DateTimeOffset now,
        bool withColumnDefinitions = true)
    {
        var table = new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
        };
        if (withColumnDefinitions)
        {
            table["columnDefinitions"] = new JsonArray(kind.Columns.Select(c => (JsonNode?)c.Definition()).ToArray());
        }

        table["rows"] = new JsonArray(items.Select(i => (JsonNode?)Row(kind, i.View, i.Stored, includeObject, now)).ToArray());
        return table;
    }

    private static JsonObject Row(ResourceKind kind, JsonObject view, JsonObject stored, string? includeObject, DateTimeOffset now)
    {
        var row = new JsonObject
        {
            ["cells"] = new JsonArray(kind.Columns.Select(c => c.Cell(stored, now)).ToArray()),
        };
        switch (includeObject)
        {
            case "None":
                break;
            case "Object":
                row["object"] = JsonText.Clone(view);
                break;
            default:
                row["object"] = new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = view["metadata"]?.DeepClone(),
                };
                break;
        }

        return row;
    }
}
