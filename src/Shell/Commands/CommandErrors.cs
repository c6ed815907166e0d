namespace Forge.Shell.Commands;

/// <summary>The command ran and failed for a reason the operator can act on; the message is shown as is.</summary>
public sealed class CommandFailedException(string message) : Exception(message);

/// <summary>The command's words were wrong; the client shows the message and the command's usage.</summary>
public sealed class CommandUsageException(string message) : Exception(message);
