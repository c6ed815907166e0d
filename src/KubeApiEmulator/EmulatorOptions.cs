using System.Collections.Immutable;

namespace Forge.KubeApiEmulator;

/// <summary>How an emulator instance listens and what it serves from the start.</summary>
public sealed record EmulatorOptions
{
    /// <summary>TCP port on <see cref="Host"/>; 0 picks a free one (read it from <see cref="KubeApiEmulatorServer.BaseUrl"/>).</summary>
    public int Port { get; init; }

    public string Host { get; init; } = "127.0.0.1";

    /// <summary>CRD manifests (YAML, several documents allowed) registered at start, as if applied.</summary>
    public ImmutableArray<string> CrdPaths { get; init; } = [];

    /// <summary>Namespaces that exist at start ("default" always does).</summary>
    public ImmutableArray<string> Namespaces { get; init; } = ["cardano"];

    /// <summary>Changes kept for watch resumption; a watch from an older resourceVersion gets 410 Gone.</summary>
    public int HistoryLimit { get; init; } = 10_000;

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public void Validate()
    {
        if (Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "port must be 0..65535 (0 = pick a free one)");
        }

        if (HistoryLimit < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(HistoryLimit), HistoryLimit, "history limit must be at least 1");
        }

        foreach (var path in CrdPaths.Where(p => !File.Exists(p)))
        {
            throw new FileNotFoundException($"CRD manifest not found: {path}", path);
        }
    }
}
