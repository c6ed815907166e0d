using System.Collections.Immutable;
using Forge.Shell.Protocol;

namespace Forge.Shell.Commands;

/// <summary>A command's words checked against its <see cref="CommandSpec"/>: arguments and switches by name,
/// defaults filled in.</summary>
public sealed record ParsedCommand(
    CommandSpec Spec,
    ImmutableDictionary<string, string> Arguments,
    ImmutableDictionary<string, string> Switches,
    ImmutableHashSet<string> Flags)
{
    public string Argument(string name) =>
        Arguments.TryGetValue(name, out var v) ? v : throw new InvalidOperationException($"argument {name} is not declared as required");

    public string? OptionalArgument(string name) => Arguments.GetValueOrDefault(name);

    public string? Switch(string name) => Switches.GetValueOrDefault(name);

    public bool Flag(string name) => Flags.Contains(name);
}
