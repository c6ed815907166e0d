namespace Forge.KubeApiEmulator;

/// <summary>Injected API-server failures, for outage tests of the clients.</summary>
public enum FaultMode
{
    /// <summary>Serve normally.</summary>
    None,

    /// <summary>Answer every request 503 ServiceUnavailable and close open watches.</summary>
    Unavailable,

    /// <summary>Accept requests but never answer (until the mode changes or the client gives up); open watches stall.</summary>
    Hang,
}
