namespace Forge.StandIn.Credentials;

/// <summary>Reads and checks the KES key, VRF key and opcert, the way cardano-node does at startup and on SIGHUP.</summary>
internal sealed class CredentialFiles(string kesPath, string vrfPath, string opCertPath)
{
    // cardano-node refuses a VRF key with any "group" or "other" permission bit (checkVRFFilePermissions).
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public CredentialCheck Check()
    {
        foreach (var path in new[] { kesPath, vrfPath, opCertPath })
        {
            if (!File.Exists(path)) return new CredentialCheck.Missing(path);
        }

        OperationalCertificate? opCert = null;
        return Read(vrfPath, text =>
               {
                   if ((File.GetUnixFileMode(vrfPath) & GroupOrOther) != 0)
                       throw new FormatException("VRF private key file has \"group\" or \"other\" file permissions");
                   TextEnvelope.Parse(text).ExpectKey(TextEnvelope.VrfType, TextEnvelope.VrfKeyBytes);
               })
               ?? Read(kesPath, text => TextEnvelope.Parse(text).ExpectKey(TextEnvelope.KesType, TextEnvelope.KesKeyBytes))
               ?? Read(opCertPath, text => opCert = OperationalCertificate.FromEnvelope(TextEnvelope.Parse(text)))
               ?? new CredentialCheck.Valid(opCert!);
    }

    /// <summary>Null when the file is fine; otherwise the check result that describes it (never its content).</summary>
    private static CredentialCheck? Read(string path, Action<string> check)
    {
        try
        {
            check(File.ReadAllText(path));
            return null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new CredentialCheck.Missing(path); // removed between the existence check and the read
        }
        catch (FormatException e)
        {
            return new CredentialCheck.Invalid(path, e.Message);
        }
        catch (Exception e)
        {
            // any other failure is a bad file, never a crash of the node and never a disable
            return new CredentialCheck.Invalid(path, e.GetType().Name);
        }
    }
}
