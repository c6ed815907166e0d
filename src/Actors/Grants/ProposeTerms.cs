using System.Collections.Immutable;

namespace Forge.Grants;

/// <summary>Several <see cref="ProposeTerm"/>s at once (the arbiter's decisions of one message, e.g. every pool of a lost
/// region failing over): one quorum round per replica carries them all (<see cref="ReplicaAcceptGrantBatch"/>), each
/// still counted and answered on its own (<see cref="TermGranted"/> / <see cref="TermNotGranted"/> per pool).</summary>
public sealed record ProposeTerms(ImmutableArray<ProposeTerm> Proposals) : IGrantProposerCommand;
