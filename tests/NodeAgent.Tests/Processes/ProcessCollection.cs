using Xunit;

namespace Forge.NodeAgent.Tests.Processes;

/// <summary>Process tests run one at a time: each starts a fence, a node and an agent, and 2 cores are few.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCollection
{
    public const string Name = "real processes";
}
