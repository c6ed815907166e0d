using System.Text.Json.Nodes;

namespace Forge.KubeApiEmulator.Patching;

/// <summary>RFC 7386 JSON merge patch: objects merge recursively, null deletes, anything else (lists too) replaces.</summary>
internal static class MergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? new JsonObject();
        foreach (var (name, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(name);
            }
            else
            {
                var merged = Apply(result[name]?.DeepClone(), value);
                result[name] = merged;
            }
        }

        return result;
    }
}
