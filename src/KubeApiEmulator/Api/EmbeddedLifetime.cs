using Microsoft.Extensions.Hosting;

namespace Forge.KubeApiEmulator.Api;

/// <summary>
/// Replaces the host's console lifetime: an embedded emulator must not take over the process's SIGINT/SIGTERM
/// handling (the host process decides when to stop; <c>Program</c> handles signals for the executable).
/// </summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
