using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Forge.KubeApiEmulator.Json;

namespace Forge.KubeApiEmulator.Schema;

/// <summary>
/// Validates a custom resource against its CRD's openAPIV3Schema with the apiserver's messages
/// (kube-openapi's wording, converted to field errors as apiextensions-apiserver does).
/// </summary>
internal static partial class SchemaValidator
{
    private static readonly ConcurrentDictionary<string, Regex> Patterns = new();

    public static IReadOnlyList<FieldError> Validate(JsonObject obj, JsonObject schema)
    {
        var errors = new List<FieldError>();
        if (schema["required"] is JsonArray required)
        {
            foreach (var name in required.Select(r => r!.GetValue<string>()).Where(n => !obj.ContainsKey(n)))
            {
                errors.Add(FieldError.Required(name));
            }
        }

        foreach (var (name, value) in obj)
        {
            if (name is not ("apiVersion" or "kind" or "metadata") && schema["properties"]?[name] is JsonObject ps)
            {
                ValidateNode(value, ps, name, errors);
            }
        }

        return errors;
    }

    private static void ValidateNode(JsonNode? node, JsonObject schema, string path, List<FieldError> errors)
    {
        if (node is null)
        {
            if (schema["nullable"]?.GetValue<bool>() != true && schema["type"] is not null)
            {
                errors.Add(FieldError.TypeInvalid(path, "\"null\"", $"{path} in body must be of type {schema["type"]}: \"null\""));
            }

            return;
        }

        var type = schema["type"]?.GetValue<string>();
        var actual = GoValueText.TypeName(node);
        if (type is not null && !TypeMatches(type, actual))
        {
            errors.Add(FieldError.TypeInvalid(path, GoValueText.Quote(actual), $"{path} in body must be of type {type}: {GoValueText.Quote(actual)}"));
            return;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, node)))
        {
            errors.Add(FieldError.NotSupported(path, GoValueText.Show(node), allowed.Select(GoValueText.Show)));
            return;
        }

        switch (node)
        {
            case JsonObject o:
                ValidateObject(o, schema, path, errors);
                break;
            case JsonArray a:
                ValidateArray(a, schema, path, errors);
                break;
            case JsonValue v when actual == "string":
                ValidateString(v.GetValue<string>(), schema, path, errors);
                break;
            case JsonValue v when actual is "integer" or "number":
                ValidateNumber(v, schema, path, errors);
                break;
        }
    }

    private static bool TypeMatches(string type, string actual) =>
        type == actual || (type == "number" && actual == "integer");

    private static void ValidateObject(JsonObject o, JsonObject schema, string path, List<FieldError> errors)
    {
        if (schema["required"] is JsonArray required)
        {
            foreach (var name in required.Select(r => r!.GetValue<string>()).Where(n => !o.ContainsKey(n)))
            {
                errors.Add(FieldError.Required($"{path}.{name}"));
            }
        }

        foreach (var (name, value) in o)
        {
            if (schema["properties"]?[name] is JsonObject ps)
            {
                ValidateNode(value, ps, $"{path}.{name}", errors);
            }
            else if (schema["additionalProperties"] is JsonObject valueSchema)
            {
                ValidateNode(value, valueSchema, $"{path}.{name}", errors);
            }
        }
    }

    private static void ValidateArray(JsonArray a, JsonObject schema, string path, List<FieldError> errors)
    {
        if (JsonText.Long(schema["maxItems"]) is { } max && a.Count > max)
        {
            errors.Add(FieldError.TooMany(path, a.Count, max));
        }

        if (JsonText.Long(schema["minItems"]) is { } min && a.Count < min)
        {
            errors.Add(FieldError.Invalid(path, $"{a.Count}", $"{path} in body should have at least {min} items"));
        }

        if (schema["items"] is JsonObject items)
        {
            for (var i = 0; i < a.Count; i++)
            {
                ValidateNode(a[i], items, $"{path}[{i}]", errors);
            }
        }
    }

    private static void ValidateString(string s, JsonObject schema, string path, List<FieldError> errors)
    {
        var shown = GoValueText.Quote(s);
        if (JsonText.Long(schema["maxLength"]) is { } max && s.Length > max)
        {
            errors.Add(FieldError.TooLong(path, max));
        }

        if (JsonText.Long(schema["minLength"]) is { } min && s.Length < min)
        {
            errors.Add(FieldError.Invalid(path, shown, $"{path} in body should be at least {min} chars long"));
        }

        if (schema["pattern"]?.GetValue<string>() is { } pattern
            && !Patterns.GetOrAdd(pattern, p => new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))).IsMatch(s))
        {
            errors.Add(FieldError.Invalid(path, shown, $"{path} in body should match '{pattern}'"));
        }

        if (schema["format"]?.GetValue<string>() == "date-time" && !IsDateTime(s))
        {
            errors.Add(FieldError.TypeInvalid(path, shown, $"{path} in body must be of type date-time: {shown}"));
        }
    }

    private static void ValidateNumber(JsonValue v, JsonObject schema, string path, List<FieldError> errors)
    {
        var x = GoValueText.Number(v);
        var shown = GoValueText.Show(v);
        if (schema["minimum"] is JsonValue minNode)
        {
            var min = GoValueText.Number(minNode);
            var exclusive = schema["exclusiveMinimum"]?.GetValue<bool>() == true;
            if (exclusive ? x <= min : x < min)
            {
                errors.Add(FieldError.Invalid(path, shown,
                    $"{path} in body should be greater than {(exclusive ? "" : "or equal to ")}{minNode.ToJsonString()}"));
            }
        }

        if (schema["maximum"] is JsonValue maxNode)
        {
            var max = GoValueText.Number(maxNode);
            var exclusive = schema["exclusiveMaximum"]?.GetValue<bool>() == true;
            if (exclusive ? x >= max : x > max)
            {
                errors.Add(FieldError.Invalid(path, shown,
                    $"{path} in body should be less than {(exclusive ? "" : "or equal to ")}{maxNode.ToJsonString()}"));
            }
        }
    }

    /// <summary>RFC 3339 as kube-openapi's strfmt accepts it: 'Z' or a numeric offset such as "+00:00" (what `date --iso-8601=seconds` prints).</summary>
    private static bool IsDateTime(string s)
    {
        var m = DateTimeRegex().Match(s);
        return m.Success && DateTime.TryParseExact(m.Groups["date"].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            && int.Parse(m.Groups["h"].Value, CultureInfo.InvariantCulture) < 24
            && int.Parse(m.Groups["m"].Value, CultureInfo.InvariantCulture) < 60
            && (!m.Groups["s"].Success || int.Parse(m.Groups["s"].Value, CultureInfo.InvariantCulture) < 61);
    }

    [GeneratedRegex(@"^(?<date>\d{4}-\d{2}-\d{2})[Tt ](?<h>\d{2}):(?<m>\d{2})(:(?<s>\d{2})(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$")]
    private static partial Regex DateTimeRegex();
}
