using System.Text.Json.Nodes;

namespace Forge.KubeApiEmulator.Selectors;

/// <summary>Label selectors as the apiserver parses them: k=v, k==v, k!=v, k in (a,b), k notin (a,b), k, !k.</summary>
internal sealed class LabelSelector
{
    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> _requirements = [];

    private LabelSelector()
    {
    }

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        foreach (var term in SplitTopLevel(text ?? ""))
        {
            selector._requirements.Add(ParseTerm(term.Trim()));
        }

        return selector;
    }

    public bool Matches(JsonObject obj)
    {
        var labels = (obj["metadata"]?["labels"] as JsonObject ?? [])
            .ToDictionary(kv => kv.Key, kv => kv.Value?.GetValue<string>() ?? "");
        return _requirements.All(r => r(labels));
    }

    private static Func<IReadOnlyDictionary<string, string>, bool> ParseTerm(string term)
    {
        var inIndex = term.IndexOf(" in ", StringComparison.Ordinal);
        var notInIndex = term.IndexOf(" notin ", StringComparison.Ordinal);
        if (notInIndex > 0)
        {
            var key = term[..notInIndex].Trim();
            var values = SetValues(term[(notInIndex + 7)..]);
            return l => !l.TryGetValue(key, out var v) || !values.Contains(v);
        }

        if (inIndex > 0)
        {
            var key = term[..inIndex].Trim();
            var values = SetValues(term[(inIndex + 4)..]);
            return l => l.TryGetValue(key, out var v) && values.Contains(v);
        }

        if (term.Contains("!=", StringComparison.Ordinal))
        {
            var parts = term.Split("!=", 2);
            return l => !l.TryGetValue(parts[0].Trim(), out var v) || v != parts[1].Trim();
        }

        if (term.Contains('='))
        {
            var parts = term.Split('=', 2);
            var value = parts[1].TrimStart('=').Trim();
            return l => l.TryGetValue(parts[0].Trim(), out var v) && v == value;
        }

        if (term.StartsWith('!'))
        {
            var key = term[1..].Trim();
            return l => !l.ContainsKey(key);
        }

        return l => l.ContainsKey(term);
    }

    private static HashSet<string> SetValues(string text) =>
        text.Trim().TrimStart('(').TrimEnd(')').Split(',').Select(v => v.Trim()).ToHashSet();

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (text[i] == ',' && depth == 0)
            {
                if (i > start)
                {
                    yield return text[start..i];
                }

                start = i + 1;
            }
        }

        if (text.Length > start && text[start..].Trim().Length > 0)
        {
            yield return text[start..];
        }
    }
}
