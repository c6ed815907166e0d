using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Json;
using Forge.KubeApiEmulator.Printing;

namespace Forge.KubeApiEmulator.Resources;

/// <summary>Turns a stored CustomResourceDefinition into the served resource types, one per served version.</summary>
internal static class CrdConverter
{
    public static IReadOnlyList<ResourceKind> ToKinds(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject ?? throw Invalid(crd, "spec", "Required value");
        var group = JsonText.Str(spec, "group") ?? throw Invalid(crd, "spec.group", "Required value");
        var names = spec["names"] as JsonObject ?? throw Invalid(crd, "spec.names", "Required value");
        var plural = JsonText.Str(names, "plural") ?? throw Invalid(crd, "spec.names.plural", "Required value");
        var kind = JsonText.Str(names, "kind") ?? throw Invalid(crd, "spec.names.kind", "Required value");
        var singular = JsonText.Str(names, "singular") ?? kind.ToLowerInvariant();
        var shortNames = (names["shortNames"] as JsonArray ?? []).Select(n => n!.GetValue<string>()).ToImmutableArray();
        var categories = (names["categories"] as JsonArray ?? []).Select(n => n!.GetValue<string>()).ToImmutableArray();
        var namespaced = JsonText.Str(spec, "scope") != "Cluster";

        var expected = $"{plural}.{group}";
        if (JsonText.Str(crd, "metadata.name") != expected)
        {
            throw Invalid(crd, "metadata.name", $"Invalid value: \"{JsonText.Str(crd, "metadata.name")}\": must be spec.names.plural+\".\"+spec.group");
        }

        return (spec["versions"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(v => v["served"]?.GetValue<bool>() != false)
            .Select(v => new ResourceKind
            {
                Group = group,
                Version = JsonText.Str(v, "name") ?? "v1",
                Plural = plural,
                Singular = singular,
                Kind = kind,
                Namespaced = namespaced,
                ShortNames = shortNames,
                Categories = categories,
                HasStatus = JsonText.At(v, "subresources.status") is not null,
                SetsGeneration = true,
                RequiresResourceVersionOnUpdate = true,
                Schema = JsonText.At(v, "schema.openAPIV3Schema")?.DeepClone() as JsonObject,
                Columns = Columns(v["additionalPrinterColumns"] as JsonArray),
            })
            .ToList();
    }

    /// <summary>Name first, then the CRD's printer columns in order; a lone Age when the CRD declares none.</summary>
    private static ImmutableArray<TableColumn> Columns(JsonArray? declared)
    {
        if (declared is null || declared.Count == 0)
        {
            return [TableColumn.NameColumn, TableColumn.Age()];
        }

        var columns = ImmutableArray.CreateBuilder<TableColumn>();
        columns.Add(TableColumn.NameColumn);
        foreach (var c in declared.OfType<JsonObject>())
        {
            var type = JsonText.Str(c, "type") ?? "string";
            var path = JsonText.Str(c, "jsonPath") ?? "";
            columns.Add(new TableColumn(
                JsonText.Str(c, "name") ?? path,
                type,
                JsonText.Str(c, "format") ?? "",
                JsonText.Str(c, "description") ?? "",
                (int)(JsonText.Long(c["priority"]) ?? 0),
                type == "date"
                    ? (o, now) => TableColumn.AgeOf(SimpleJsonPath.Evaluate(o, path), now)
                    : (o, _) => SimpleJsonPath.Evaluate(o, path)?.DeepClone()));
        }

        return columns.ToImmutable();
    }

    private static ApiException Invalid(JsonObject crd, string field, string body)
    {
        var name = JsonText.Str(crd, "metadata.name") ?? "";
        return new ApiException(422, "Invalid",
            $"CustomResourceDefinition.apiextensions.k8s.io \"{name}\" is invalid: {field}: {body}",
            new JsonObject
            {
                ["name"] = name,
                ["group"] = "apiextensions.k8s.io",
                ["kind"] = "CustomResourceDefinition",
                ["causes"] = new JsonArray(new JsonObject { ["reason"] = "FieldValueInvalid", ["message"] = body, ["field"] = field }),
            });
    }

    /// <summary>The status a real apiserver reports once the names are accepted and the type is served.</summary>
    public static JsonObject EstablishedStatus(JsonObject crd, DateTimeOffset now)
    {
        var t = JsonText.Timestamp(now);
        return new JsonObject
        {
            ["acceptedNames"] = JsonText.At(crd, "spec.names")?.DeepClone(),
            ["conditions"] = new JsonArray(
                new JsonObject { ["type"] = "NamesAccepted", ["status"] = "True", ["reason"] = "NoConflicts", ["message"] = "no conflicts found", ["lastTransitionTime"] = t },
                new JsonObject { ["type"] = "Established", ["status"] = "True", ["reason"] = "InitialNamesAccepted", ["message"] = "the initial names have been accepted", ["lastTransitionTime"] = t }),
            ["storedVersions"] = new JsonArray((JsonText.At(crd, "spec.versions") as JsonArray ?? [])
                .OfType<JsonObject>().Where(v => v["storage"]?.GetValue<bool>() == true)
                .Select(v => (JsonNode?)JsonValue.Create(JsonText.Str(v, "name"))).ToArray()),
        };
    }
}
