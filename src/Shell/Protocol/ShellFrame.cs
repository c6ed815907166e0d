using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Forge.Shell.Protocol;

/// <summary>
/// One message of the shell protocol: a JSON object on one line (UTF-8, <c>\n</c>-terminated), tagged by <c>type</c>.
/// Client → host: <see cref="Hello"/> first, then <see cref="Run"/> and <see cref="Cancel"/>.
/// Host → client: <see cref="Welcome"/> (or <see cref="Refused"/> and close), then <see cref="Output"/> lines and one
/// <see cref="Done"/> per run.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(Hello), "hello")]
[JsonDerivedType(typeof(Welcome), "welcome")]
[JsonDerivedType(typeof(Refused), "refused")]
[JsonDerivedType(typeof(Run), "run")]
[JsonDerivedType(typeof(Cancel), "cancel")]
[JsonDerivedType(typeof(Output), "output")]
[JsonDerivedType(typeof(Done), "done")]
public abstract record ShellFrame
{
    public const int ProtocolVersion = 1;
}

/// <param name="Token">The shared token, when the host requires one (never logged).</param>
public sealed record Hello(int Protocol, string Client, string? Token = null) : ShellFrame;

/// <param name="Host">What the prompt shows about the host: its cluster address.</param>
public sealed record Welcome(int Protocol, string Host, ImmutableArray<PaletteSpec> Palettes) : ShellFrame;

public sealed record Refused(string Reason) : ShellFrame;

/// <summary>Run one command: its words exactly as typed (palette, command, arguments, switches).</summary>
public sealed record Run(int Id, ImmutableArray<string> Words) : ShellFrame;

/// <summary>Stop run <see cref="Id"/> (Ctrl-C); its <see cref="Done"/> still follows.</summary>
public sealed record Cancel(int Id) : ShellFrame;

public sealed record Output(int Id, string Line) : ShellFrame;

/// <param name="Status">0 done, 1 failed (<see cref="Error"/> says why), 2 bad usage (<see cref="Error"/> holds the
/// message and the usage).</param>
public sealed record Done(int Id, int Status, string? Error = null) : ShellFrame
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadUsage = 2;
}
