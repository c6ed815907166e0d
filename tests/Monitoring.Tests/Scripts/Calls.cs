using System.Text.Json;
using System.Text.Json.Nodes;

namespace Forge.Monitoring.Tests.Scripts;

/// <summary>Recorded calls as comparable text: arguments joined by spaces, patch bodies compacted.</summary>
internal static class Calls
{
    /// <summary>
    /// One line per call. A -p=JSON body is re-serialised compactly with its override.expiresAt
    /// (a time) replaced by EXPIRES; <paramref name="expiresAt"/> collects those times.
    /// </summary>
    public static List<string> Normalise(IEnumerable<string[]> calls, List<string>? expiresAt = null) =>
        calls.Select(args => string.Join(' ', args.Select(a => NormaliseArg(a, expiresAt)))).ToList();

    /// <summary>The JSON body of the -p= argument of <paramref name="call"/>.</summary>
    public static JsonNode PatchBody(string[] call) =>
        JsonNode.Parse(call.Single(a => a.StartsWith("-p=", StringComparison.Ordinal))[3..])
        ?? throw new InvalidDataException("empty patch");

    public static void Equal(IReadOnlyList<string> expected, IReadOnlyList<string> actual) =>
        Assert.True(expected.SequenceEqual(actual), $"expected calls:\n  {string.Join("\n  ", expected)}\nactual calls:\n  {string.Join("\n  ", actual)}");

    private static string NormaliseArg(string arg, List<string>? expiresAt)
    {
        if (!arg.StartsWith("-p=", StringComparison.Ordinal))
        {
            return arg;
        }

        var body = JsonNode.Parse(arg[3..]) ?? throw new InvalidDataException($"patch body is not JSON: {arg}");
        if (body["spec"]?["override"] is JsonObject o && o["expiresAt"] is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            expiresAt?.Add(v.GetValue<string>());
            o["expiresAt"] = "EXPIRES";
        }

        return "-p=" + body.ToJsonString();
    }
}
