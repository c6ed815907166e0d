using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Forge.KubeApiEmulator.Json;

/// <summary>
/// Converts YAML documents into JsonNodes with YAML 1.2 core-schema scalars (what sigs.k8s.io/yaml does for
/// manifests): plain true/false/null/numbers are typed, quoted scalars stay strings.
/// </summary>
internal static class YamlToJson
{
    public static IReadOnlyList<JsonObject> ParseDocuments(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw ApiException.BadRequest($"error converting YAML to JSON: {e.Message}");
        }

        return stream.Documents
            .Select(d => Convert(d.RootNode))
            .OfType<JsonObject>()
            .ToList();
    }

    public static JsonObject ParseObject(string yaml) =>
        ParseDocuments(yaml) is [var first, ..] ? first : throw ApiException.BadRequest("the body of the request was empty");

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", Convert(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }

        if (text.Any(char.IsDigit) && !text.Contains(':')
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return JsonValue.Create(d);
        }

        return JsonValue.Create(text);
    }
}
