using System.Collections.Immutable;
using Forge.Health;

namespace Forge.Benchmarks.Scale;

/// <summary>The health probe of the benchmark worlds: health checks are off in their specs, so it is never called.</summary>
public sealed class NoHealthProbe : IHealthProbe
{
    public Task<ProbeResult> ProbeAsync(Uri endpoint, ImmutableDictionary<string, string> headers, TimeSpan timeout, CancellationToken ct) =>
        throw new NotSupportedException("health checks are off in the benchmark worlds");
}
