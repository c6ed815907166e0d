using System.Collections.Immutable;
using Forge.Shell.Protocol;

namespace Forge.Shell.Commands;

/// <summary>Checks a command's words (after palette and command name) against its spec. Pure; errors are
/// <see cref="CommandUsageException"/>s with a message that names the offending word.</summary>
public static class CommandParser
{
    public static ParsedCommand Parse(CommandSpec spec, IReadOnlyList<string> words)
    {
        var args = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var switches = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var flags = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        var positional = 0;

        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            if (word.StartsWith("--", StringComparison.Ordinal) && word.Length > 2)
            {
                var (name, inline) = word.IndexOf('=', StringComparison.Ordinal) is var eq and > 0
                    ? (word[2..eq], word[(eq + 1)..])
                    : (word[2..], null);
                var sw = spec.Switches.FirstOrDefault(s => s.Name == name)
                    ?? throw new CommandUsageException($"unknown switch '--{name}'");
                if (switches.ContainsKey(name) || flags.Contains(name))
                    throw new CommandUsageException($"switch '--{name}' given twice");
                if (sw.IsFlag)
                {
                    if (inline is not null) throw new CommandUsageException($"switch '--{name}' takes no value");
                    flags.Add(name);
                    continue;
                }
                var value = inline ?? (i + 1 < words.Count ? words[++i] : null);
                if (string.IsNullOrEmpty(value))
                    throw new CommandUsageException($"switch '--{name}' needs a value <{sw.Value}>");
                switches[name] = value;
                continue;
            }
            if (positional >= spec.Arguments.Length)
                throw new CommandUsageException($"unexpected argument '{word}'");
            args[spec.Arguments[positional++].Name] = word;
        }

        var missingArg = spec.Arguments.Skip(positional).FirstOrDefault(a => a.Required);
        if (missingArg is not null) throw new CommandUsageException($"missing argument <{missingArg.Name}>");
        var missingSwitch = spec.Switches.FirstOrDefault(s => s.Required && !switches.ContainsKey(s.Name));
        if (missingSwitch is not null) throw new CommandUsageException($"missing switch {missingSwitch.Synopsis}");
        foreach (var s in spec.Switches.Where(s => s.Default is not null && !switches.ContainsKey(s.Name)))
            switches[s.Name] = s.Default!;

        return new ParsedCommand(spec, args.ToImmutable(), switches.ToImmutable(), flags.ToImmutable());
    }
}
