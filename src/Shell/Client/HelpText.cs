using System.Collections.Immutable;
using Forge.Shell.Protocol;

namespace Forge.Shell.Client;

/// <summary>Help rendered on the client from the palettes the host described.</summary>
public static class HelpText
{
    public static IEnumerable<string> For(ImmutableArray<PaletteSpec> palettes, IReadOnlyList<string> topic)
    {
        if (topic.Count == 0) return Overview(palettes);
        var palette = palettes.FirstOrDefault(p => p.Name == topic[0]);
        if (palette is null) return [$"unknown palette '{topic[0]}'; palettes: {string.Join(", ", palettes.Select(p => p.Name))}"];
        if (topic.Count == 1) return Palette(palette);
        var command = palette.Command(topic[1]);
        return command is null
            ? [$"unknown command '{palette.Name} {topic[1]}'; {palette.Name} commands: {string.Join(", ", palette.Commands.Select(c => c.Name))}"]
            : Command(command);
    }

    public static bool IsUnknownTopic(ImmutableArray<PaletteSpec> palettes, IReadOnlyList<string> topic) =>
        topic.Count > 0 && (palettes.FirstOrDefault(p => p.Name == topic[0]) is not { } p || (topic.Count > 1 && p.Command(topic[1]) is null));

    private static IEnumerable<string> Overview(ImmutableArray<PaletteSpec> palettes)
    {
        yield return "Palettes (help <palette> lists its commands; Tab completes; Ctrl-C stops a running command):";
        var width = palettes.Select(p => p.Name.Length).DefaultIfEmpty(0).Max();
        foreach (var p in palettes)
            yield return $"  {p.Name.PadRight(width)}   {p.Description}: {string.Join(", ", p.Commands.Select(c => c.Name))}";
        yield return "Built in: help [<palette> [<command>]], exit";
    }

    private static IEnumerable<string> Palette(PaletteSpec palette)
    {
        yield return $"{palette.Name}: {palette.Description}";
        var width = palette.Commands.Select(c => c.Usage.Length).DefaultIfEmpty(0).Max();
        foreach (var c in palette.Commands)
            yield return $"  {c.Usage.PadRight(width)}   {c.Description}";
    }

    private static IEnumerable<string> Command(CommandSpec command)
    {
        yield return $"usage: {command.Usage}";
        yield return $"  {command.Description}";
        foreach (var a in command.Arguments)
            yield return $"  <{a.Name}>   {a.Description}{(a.Required ? "" : " (optional)")}";
        foreach (var s in command.Switches)
            yield return $"  {s.Synopsis}   {s.Description}{(s.Required ? " (required)" : "")}{(s.Default is null ? "" : $" (default {s.Default})")}";
    }
}
