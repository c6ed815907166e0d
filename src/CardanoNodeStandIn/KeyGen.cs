using System.Security.Cryptography;
using Forge.StandIn.Credentials;

namespace Forge.StandIn;

/// <summary>
/// <c>standin-keygen --out DIR [--counter N] [--kes-period N]</c>: writes kes.skey, vrf.skey and node.cert in the text
/// envelope shapes the stand-in accepts (random bytes, not real keys), mode 0600, for tests and the sandbox.
/// </summary>
internal static class KeyGen
{
    public const string KesFile = "kes.skey";
    public const string VrfFile = "vrf.skey";
    public const string OpCertFile = "node.cert";

    public static int Run(IReadOnlyList<string> args)
    {
        string? dir = null;
        ulong counter = 0, period = 0;
        for (var i = 1; i + 1 < args.Count; i += 2)
        {
            switch (args[i])
            {
                case "--out": dir = args[i + 1]; break;
                case "--counter": counter = ulong.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
                case "--kes-period": period = ulong.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"cardano-node-standin: unknown option {args[i]}"); return 1;
            }
        }
        if (dir is null)
        {
            Console.Error.WriteLine("cardano-node-standin: standin-keygen needs --out DIR");
            return 1;
        }
        Write(dir, counter, period);
        return 0;
    }

    public static void Write(string dir, ulong counter, ulong kesPeriod)
    {
        Directory.CreateDirectory(dir);
        Save(Path.Combine(dir, KesFile), TextEnvelope.Key(TextEnvelope.KesType, "KES Signing Key",
            RandomNumberGenerator.GetBytes(TextEnvelope.KesKeyBytes)));
        Save(Path.Combine(dir, VrfFile), TextEnvelope.Key(TextEnvelope.VrfType, "VRF Signing Key",
            RandomNumberGenerator.GetBytes(TextEnvelope.VrfKeyBytes)));
        Save(Path.Combine(dir, OpCertFile), new OperationalCertificate(counter, kesPeriod).ToEnvelope(
            RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(64), RandomNumberGenerator.GetBytes(32)));
    }

    private static void Save(string path, TextEnvelope envelope)
    {
        File.WriteAllText(path, envelope.ToJson());
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
