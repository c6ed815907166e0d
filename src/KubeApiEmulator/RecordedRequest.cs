namespace Forge.KubeApiEmulator;

/// <summary>
/// One answered request, kept so tests can assert on what a client did (e.g. "wrote nothing when nothing
/// changed": no PATCH/PUT in the window).
/// </summary>
public sealed record RecordedRequest(DateTimeOffset At, string Method, string Path, string Query, int StatusCode, string UserAgent)
{
    public bool IsWrite => Method is "POST" or "PUT" or "PATCH" or "DELETE";
}
