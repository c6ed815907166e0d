namespace Forge.Protocol;

/// <summary>
/// What the coordinator may know about a node's credentials: never key material, only the operational
/// certificate's hash and counter and the KES period it starts at. The pool's current credentials are the ones
/// with the highest opcert counter registered for the pool.
/// </summary>
/// <param name="OpcertHash">Hex SHA-256 of the operational certificate file (public data).</param>
/// <param name="OpcertCounter">The opcert's issue counter.</param>
/// <param name="KesPeriod">The KES period the opcert starts at.</param>
/// <param name="KesPeriodsRemaining">KES periods left before the hot key expires, when known.</param>
public sealed record CredentialFingerprint(string OpcertHash, long OpcertCounter, int KesPeriod, int? KesPeriodsRemaining);
