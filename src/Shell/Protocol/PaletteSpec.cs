using System.Collections.Immutable;

namespace Forge.Shell.Protocol;

// How the host describes its commands to clients. The client renders help, completes names and shows usage from
// these alone, so a new command or switch needs no new client.

/// <summary>A named group of commands, e.g. <c>cluster</c>.</summary>
public sealed record PaletteSpec(string Name, string Description, ImmutableArray<CommandSpec> Commands)
{
    public CommandSpec? Command(string name) => Commands.FirstOrDefault(c => c.Name == name);
}

/// <param name="Streaming">The command writes until the client cancels it (e.g. <c>cluster tail</c>).</param>
public sealed record CommandSpec(
    string Palette,
    string Name,
    string Description,
    ImmutableArray<ArgumentSpec> Arguments,
    ImmutableArray<SwitchSpec> Switches,
    bool Streaming = false)
{
    /// <summary>One-line usage, e.g. <c>forge failover --to &lt;cluster&gt; --reason &lt;text&gt; [--expires &lt;time&gt;]</c>.</summary>
    public string Usage
    {
        get
        {
            var parts = new List<string> { Palette, Name };
            parts.AddRange(Arguments.Select(a => a.Required ? $"<{a.Name}>" : $"[<{a.Name}>]"));
            parts.AddRange(Switches.Select(s => s.Required ? s.Synopsis : $"[{s.Synopsis}]"));
            return string.Join(' ', parts);
        }
    }
}

/// <summary>A positional argument.</summary>
public sealed record ArgumentSpec(string Name, string Description, bool Required = true);

/// <summary>A <c>--name</c> switch.</summary>
/// <param name="Name">Without the leading dashes.</param>
/// <param name="Value">Placeholder of the value (<c>text</c>), or null for a flag that takes none.</param>
/// <param name="Default">The value when the switch is absent, shown in help.</param>
public sealed record SwitchSpec(string Name, string Description, string? Value = null, bool Required = false, string? Default = null)
{
    public bool IsFlag => Value is null;

    public string Synopsis => IsFlag ? $"--{Name}" : $"--{Name} <{Value}>";
}
