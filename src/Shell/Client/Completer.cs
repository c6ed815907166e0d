using System.Collections.Immutable;
using Forge.Shell.Protocol;

namespace Forge.Shell.Client;

/// <summary>Tab completion from the palettes the host sent: palette names, then command names, then the command's
/// switches (those not typed yet). Pure, so it is tested without a terminal.</summary>
public sealed class Completer(ImmutableArray<PaletteSpec> palettes)
{
    public static readonly ImmutableArray<string> Builtins = ["help", "exit", "quit"];

    /// <summary>Candidates for the word that ends at the end of <paramref name="line"/>.</summary>
    /// <returns>Where that word starts in <paramref name="line"/> and the sorted candidates.</returns>
    public (int WordStart, ImmutableArray<string> Candidates) Complete(string line)
    {
        var wordStart = line.Length;
        while (wordStart > 0 && !char.IsWhiteSpace(line[wordStart - 1])) wordStart--;
        var prefix = line[wordStart..];
        var before = line[..wordStart].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (wordStart, Options(before, prefix).Where(o => o.StartsWith(prefix, StringComparison.Ordinal))
            .Distinct().Order(StringComparer.Ordinal).ToImmutableArray());
    }

    /// <summary>The longest common prefix of the candidates (what Tab inserts when there are several).</summary>
    public static string CommonPrefix(IReadOnlyList<string> candidates)
    {
        if (candidates.Count == 0) return "";
        var first = candidates[0];
        var length = first.Length;
        foreach (var c in candidates.Skip(1))
        {
            length = Math.Min(length, c.Length);
            for (var i = 0; i < length; i++)
                if (c[i] != first[i]) { length = i; break; }
        }
        return first[..length];
    }

    private IEnumerable<string> Options(string[] before, string prefix)
    {
        if (before.Length == 0) return Builtins.Concat(palettes.Select(p => p.Name));
        if (before[0] == "help")
        {
            return before.Length switch
            {
                1 => palettes.Select(p => p.Name),
                2 => PaletteOf(before[1])?.Commands.Select(c => c.Name) ?? [],
                _ => [],
            };
        }
        var palette = PaletteOf(before[0]);
        if (palette is null) return [];
        if (before.Length == 1) return palette.Commands.Select(c => c.Name);
        var command = palette.Command(before[1]);
        if (command is null || !prefix.StartsWith('-')) return [];
        var typed = before.Skip(2).ToHashSet(StringComparer.Ordinal);
        return command.Switches.Select(s => $"--{s.Name}").Where(s => !typed.Contains(s)).Append("--help");
    }

    private PaletteSpec? PaletteOf(string name) => palettes.FirstOrDefault(p => p.Name == name);
}
