using System.Security.Cryptography;
using System.Text;

namespace Forge.Shell.Host;

/// <summary>
/// The shared-token check. Both sides are hashed before <see cref="CryptographicOperations.FixedTimeEquals"/>, so
/// the comparison takes the same time whatever the presented token's length or content.
/// </summary>
public sealed class TokenGate
{
    private readonly byte[]? _expectedHash;

    private TokenGate(byte[]? expectedHash) => _expectedHash = expectedHash;

    public static readonly TokenGate Open = new(null);

    public bool Required => _expectedHash is not null;

    public static TokenGate ForToken(string token)
    {
        if (string.IsNullOrWhiteSpace(token)) throw new ArgumentException("the shell token must not be empty");
        return new TokenGate(SHA256.HashData(Encoding.UTF8.GetBytes(token.Trim())));
    }

    /// <summary>Reads the token once at startup; a missing or empty file stops the host from starting.</summary>
    public static TokenGate FromSettings(ShellSettings settings)
    {
        if (settings.TokenFile is not { } path) return Open;
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"forge.shell.token-file '{path}' cannot be read: {e.Message}", e);
        }
        if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException($"forge.shell.token-file '{path}' is empty");
        return ForToken(text);
    }

    public bool Admits(string? presented)
    {
        if (_expectedHash is null) return true;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes((presented ?? "").Trim()));
        return CryptographicOperations.FixedTimeEquals(hash, _expectedHash);
    }
}
