namespace Forge.Coordinator.Hosting;

/// <summary>ActorRegistry key of the grant port the arbiter proposes through (<see cref="Forge.Arbiter.ProposeGrant"/>).</summary>
public sealed class GrantPortKey;

/// <summary>ActorRegistry key of this coordinator's renewal batcher (agent links send GrantRequest/Renew/Released).</summary>
public sealed class RenewalsKey;
