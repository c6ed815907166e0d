using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Json;

namespace Forge.KubeApiEmulator.Selectors;

/// <summary>
/// Field selectors (a.b=v, a.b==v, a.b!=v joined by commas) evaluated on any dotted field path, which covers
/// metadata.name for kubectl delete/wait and involvedObject.* for kubectl describe's Events.
/// </summary>
internal sealed class FieldSelector
{
    private readonly List<(string Path, bool Equal, string Value)> _terms = [];

    public static FieldSelector Parse(string? text)
    {
        var selector = new FieldSelector();
        foreach (var term in Split(text ?? ""))
        {
            var notEqual = term.IndexOf("!=", StringComparison.Ordinal);
            if (notEqual > 0)
            {
                selector._terms.Add((term[..notEqual], false, Unescape(term[(notEqual + 2)..])));
                continue;
            }

            var eq = term.IndexOf('=');
            if (eq <= 0)
            {
                throw ApiException.BadRequest($"invalid selector: '{text}'; can't understand '{term}'");
            }

            selector._terms.Add((term[..eq], true, Unescape(term[(eq + 1)..].TrimStart('='))));
        }

        return selector;
    }

    public bool Matches(JsonObject obj) =>
        _terms.All(t => (JsonText.AsSelectorText(JsonText.At(obj, t.Path)) == t.Value) == t.Equal);

    // Values may escape ',' '=' and '\' with a backslash (fields.EscapeValue).
    private static IEnumerable<string> Split(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == ',')
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        if (start < text.Length)
        {
            yield return text[start..];
        }
    }

    private static string Unescape(string v) =>
        v.Replace("\\,", ",").Replace("\\=", "=").Replace("\\\\", "\\");
}
