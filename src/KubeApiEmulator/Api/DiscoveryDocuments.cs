using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Resources;

namespace Forge.KubeApiEmulator.Api;

/// <summary>
/// Legacy discovery (/api, /apis, /api/v1, /apis/{g}/{v}) built from the registry. kubectl asks for the
/// aggregated form first and falls back to these when the answer is plain application/json.
/// </summary>
internal static class DiscoveryDocuments
{
    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = "v1.32.0-emu",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2026-01-01T00:00:00Z",
        ["goVersion"] = "go1.23.0",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public static JsonObject CoreVersions() => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = "127.0.0.1:6443" }),
    };

    public static JsonObject Groups(ResourceRegistry registry)
    {
        var groups = registry.All
            .Where(k => k.Group.Length > 0)
            .GroupBy(k => k.Group)
            .Select(g =>
            {
                var versions = g.Select(k => k.Version).Distinct().ToList();
                return (JsonNode?)new JsonObject
                {
                    ["name"] = g.Key,
                    ["versions"] = new JsonArray(versions.Select(v => (JsonNode?)GroupVersion(g.Key, v)).ToArray()),
                    ["preferredVersion"] = GroupVersion(g.Key, versions[0]),
                };
            });
        return new JsonObject
        {
            ["kind"] = "APIGroupList",
            ["apiVersion"] = "v1",
            ["groups"] = new JsonArray(groups.ToArray()),
        };
    }

    public static JsonObject? Resources(ResourceRegistry registry, string group, string version)
    {
        var kinds = registry.All.Where(k => k.Group == group && k.Version == version).ToList();
        if (kinds.Count == 0)
        {
            return null;
        }

        var resources = new JsonArray();
        foreach (var k in kinds.DistinctBy(k => k.Plural))
        {
            var entry = new JsonObject
            {
                ["name"] = k.Plural,
                ["singularName"] = k.Singular,
                ["namespaced"] = k.Namespaced,
                ["kind"] = k.Kind,
                ["verbs"] = new JsonArray(k.Verbs.Select(v => (JsonNode?)v).ToArray()),
            };
            if (k.ShortNames.Length > 0)
            {
                entry["shortNames"] = new JsonArray(k.ShortNames.Select(v => (JsonNode?)v).ToArray());
            }

            if (k.Categories.Length > 0)
            {
                entry["categories"] = new JsonArray(k.Categories.Select(v => (JsonNode?)v).ToArray());
            }

            resources.Add(entry);
            if (k.HasStatus)
            {
                resources.Add(Subresource(k, "status", k.ReadOnly ? ["get"] : ["get", "patch", "update"]));
            }

            foreach (var sub in k.ExtraSubresources)
            {
                resources.Add(Subresource(k, sub, ["get"]));
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    private static JsonObject Subresource(ResourceKind k, string name, string[] verbs) => new()
    {
        ["name"] = $"{k.Plural}/{name}",
        ["singularName"] = "",
        ["namespaced"] = k.Namespaced,
        ["kind"] = name == "log" ? "Pod" : k.Kind,
        ["verbs"] = new JsonArray(verbs.Select(v => (JsonNode?)v).ToArray()),
    };

    private static JsonObject GroupVersion(string group, string version) =>
        new() { ["groupVersion"] = $"{group}/{version}", ["version"] = version };
}
