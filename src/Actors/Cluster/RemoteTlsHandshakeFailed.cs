namespace Forge.Cluster;

/// <summary>Published on the EventStream by <see cref="RemoteTlsTransport"/> for every failed TLS handshake: the peer
/// (<c>host:port</c>: the dialed address's, or the accepted connection's source), the direction and why. Only that
/// connection fails.</summary>
public sealed record RemoteTlsHandshakeFailed(string Peer, bool Outbound, string Reason);
