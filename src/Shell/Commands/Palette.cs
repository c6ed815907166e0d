using System.Collections.Immutable;
using Forge.Shell.Protocol;

namespace Forge.Shell.Commands;

/// <summary>Runs one command. Throw <see cref="CommandFailedException"/> or <see cref="CommandUsageException"/> for
/// errors the operator should see; anything else is logged on the host and reported as an internal error.</summary>
public delegate Task CommandHandler(CommandContext context);

/// <summary>A command: its description (sent to clients) and its handler (stays on the host).</summary>
public sealed record CommandDefinition(CommandSpec Spec, CommandHandler Handler);

/// <summary>A palette as the host holds it.</summary>
public sealed record Palette(string Name, string Description, ImmutableArray<CommandDefinition> Commands)
{
    public PaletteSpec Spec => new(Name, Description, Commands.Select(c => c.Spec).ToImmutableArray());

    public CommandDefinition? Command(string name) => Commands.FirstOrDefault(c => c.Spec.Name == name);
}

/// <summary>Builds a palette's commands with little ceremony.</summary>
public sealed class PaletteBuilder(string name, string description)
{
    private readonly ImmutableArray<CommandDefinition>.Builder _commands = ImmutableArray.CreateBuilder<CommandDefinition>();

    public PaletteBuilder Command(
        string command, string description, CommandHandler handler,
        IEnumerable<ArgumentSpec>? arguments = null, IEnumerable<SwitchSpec>? switches = null, bool streaming = false)
    {
        _commands.Add(new CommandDefinition(
            new CommandSpec(name, command, description,
                (arguments ?? []).ToImmutableArray(), (switches ?? []).ToImmutableArray(), streaming),
            handler));
        return this;
    }

    public Palette Build() => new(name, description, _commands.ToImmutable());
}
