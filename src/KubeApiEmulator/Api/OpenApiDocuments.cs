using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Json;
using Forge.KubeApiEmulator.Resources;

namespace Forge.KubeApiEmulator.Api;

/// <summary>
/// OpenAPI v3 as kubectl 1.32's apply/create need it: a PATCH operation per kind that carries
/// <c>x-kubernetes-group-version-kind</c> and a <c>fieldValidation</c> parameter (so kubectl leaves
/// validation to the server), plus the CRD schemas under components for <c>kubectl explain</c>.
/// </summary>
internal static class OpenApiDocuments
{
    public static JsonObject Root(ResourceRegistry registry)
    {
        var paths = new JsonObject();
        foreach (var gv in registry.GroupVersions)
        {
            var key = GvPath(gv);
            var hash = Hash(GroupVersion(registry, gv)!);
            paths[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}?hash={hash}" };
        }

        return new JsonObject { ["paths"] = paths };
    }

    /// <param name="gv">"v1" for the core group, else "group/version".</param>
    public static JsonObject? GroupVersion(ResourceRegistry registry, string gv)
    {
        var kinds = registry.All.Where(k => k.GroupVersion == gv).DistinctBy(k => k.Plural).ToList();
        if (kinds.Count == 0)
        {
            return null;
        }

        var paths = new JsonObject();
        var schemas = new JsonObject();
        foreach (var k in kinds)
        {
            var schemaName = SchemaName(k);
            schemas[schemaName] = Schema(k);
            var gvk = new JsonObject { ["group"] = k.Group, ["version"] = k.Version, ["kind"] = k.Kind };
            var prefix = k.Group.Length == 0 ? "/api/v1" : $"/apis/{k.Group}/{k.Version}";
            var item = k.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{k.Plural}/{{name}}" : $"{prefix}/{k.Plural}/{{name}}";
            var response = new JsonObject
            {
                ["200"] = new JsonObject
                {
                    ["description"] = "OK",
                    ["content"] = new JsonObject
                    {
                        ["application/json"] = new JsonObject
                        {
                            ["schema"] = new JsonObject { ["$ref"] = $"#/components/schemas/{schemaName}" },
                        },
                    },
                },
            };
            var operations = new JsonObject
            {
                ["get"] = new JsonObject
                {
                    ["operationId"] = $"read{k.Kind}",
                    ["responses"] = response.DeepClone(),
                    ["x-kubernetes-action"] = "get",
                    ["x-kubernetes-group-version-kind"] = gvk.DeepClone(),
                },
            };
            if (!k.ReadOnly && !k.CreateOnly)
            {
                operations["patch"] = new JsonObject
                {
                    ["operationId"] = $"patch{k.Kind}",
                    ["parameters"] = new JsonArray(
                        new JsonObject { ["name"] = "fieldValidation", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true } },
                        new JsonObject { ["name"] = "fieldManager", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true } }),
                    ["requestBody"] = new JsonObject
                    {
                        ["content"] = new JsonObject
                        {
                            ["application/apply-patch+yaml"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } },
                            ["application/json-patch+json"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } },
                            ["application/merge-patch+json"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } },
                        },
                    },
                    ["responses"] = response.DeepClone(),
                    ["x-kubernetes-action"] = "patch",
                    ["x-kubernetes-group-version-kind"] = gvk.DeepClone(),
                };
            }

            paths[item] = operations;
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    public static string GvPath(string gv) => gv.Contains('/') ? $"apis/{gv}" : $"api/{gv}";

    private static JsonObject Schema(ResourceKind k)
    {
        var schema = k.Schema?.DeepClone() as JsonObject ?? new JsonObject
        {
            ["type"] = "object",
            ["x-kubernetes-preserve-unknown-fields"] = true,
        };
        var properties = JsonText.Obj(schema, "properties");
        properties["apiVersion"] = new JsonObject { ["type"] = "string", ["description"] = "APIVersion defines the versioned schema of this representation of an object." };
        properties["kind"] = new JsonObject { ["type"] = "string", ["description"] = "Kind is a string value representing the REST resource this object represents." };
        properties["metadata"] = new JsonObject { ["type"] = "object", ["description"] = "Standard object's metadata." };
        schema["x-kubernetes-group-version-kind"] = new JsonArray(new JsonObject { ["group"] = k.Group, ["kind"] = k.Kind, ["version"] = k.Version });
        return schema;
    }

    // io.cardano.v1.CardanoForgeCluster, like the apiserver's reversed-group naming.
    private static string SchemaName(ResourceKind k) =>
        k.Group.Length == 0
            ? $"io.k8s.api.core.v1.{k.Kind}"
            : $"{string.Join('.', k.Group.Split('.').Reverse())}.{k.Version}.{k.Kind}";

    private static string Hash(JsonObject doc) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonText.Serialize(doc))))[..32];
}
