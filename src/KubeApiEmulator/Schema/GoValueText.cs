using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Forge.KubeApiEmulator.Schema;

/// <summary>Values shown the way Go's <c>%#v</c>/<c>%q</c> show them in apiserver messages: 0, "Maybe", true, null.</summary>
internal static class GoValueText
{
    public static string Show(JsonNode? node) => node switch
    {
        null => "null",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => Quote(v.GetValue<string>()),
        JsonValue v => v.ToJsonString(),
        JsonObject => "map[string]interface {}{...}",
        JsonArray => "[]interface {}{...}",
        _ => node.ToJsonString(),
    };

    public static string Quote(string s)
    {
        var b = new StringBuilder("\"");
        foreach (var c in s)
        {
            b.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                _ => c.ToString(),
            });
        }

        return b.Append('"').ToString();
    }

    /// <summary>The JSON type name kube-openapi reports for a value ("string", "integer", "number", ...).</summary>
    public static string TypeName(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => IsInteger(v) ? "integer" : "number",
            _ => "null",
        },
        _ => "null",
    };

    public static bool IsInteger(JsonValue v) =>
        v.GetValueKind() == JsonValueKind.Number && Number(v) is var d && Math.Floor(d) == d && Math.Abs(d) < 9.2e18;

    // Whatever backs the node (parsed JSON, a YAML long, an int), its JSON text is the number.
    public static double Number(JsonValue v) => double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture);
}
