using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Forge.Sandbox;

/// <summary>
/// <c>--region-netns</c>: a Linux network namespace per region so regions can be partitioned with nft (a TCP proxy cannot
/// stand in: Akka.Remote checks that a peer's address is its canonical one). A bridge <c>fsbxN-br</c> in the root
/// namespace holds 10.77.N.1/24 (the API emulators listen there, so kubectl and the fault runner reach them from the
/// root namespace); region i is namespace <c>fsbxNrI</c> with 10.77.N.(11+i) on a veth into the bridge, loopback up.
/// N is a slot claimed by an owner file <c>/run/forge-sandbox-netns/fsbxN.pid</c> (the sandbox's PID): a slot whose owner
/// is dead is stale (a crashed or killed sandbox) and its namespaces, bridge and veths are removed before anything is
/// created. Needs root or CAP_NET_ADMIN and <c>ip</c> (iproute2).
/// </summary>
internal sealed partial class RegionNetwork : IDisposable
{
    public const string Prefix = "fsbx";
    private const string OwnerDir = "/run/forge-sandbox-netns";
    private const int Slots = 64;
    private readonly int _regions;
    private bool _created;

    private RegionNetwork(int slot, int regions)
    {
        Slot = slot;
        _regions = regions;
    }

    public int Slot { get; }
    public string Bridge => $"{Prefix}{Slot}-br";
    public string BridgeAddress => $"10.77.{Slot}.1";
    public string Namespace(int region) => $"{Prefix}{Slot}r{region}";
    public string Address(int region) => $"10.77.{Slot}.{11 + region}";
    private string HostVeth(int region) => $"{Prefix}{Slot}r{region}h";
    private string NsVeth(int region) => $"{Prefix}{Slot}r{region}n";

    /// <summary>Claims a free slot (its owner file written with this process's PID); nothing is created yet.</summary>
    public static RegionNetwork Claim(int regions)
    {
        try
        {
            Directory.CreateDirectory(OwnerDir);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new SandboxStartException($"--region-netns needs root or CAP_NET_ADMIN ({OwnerDir}: {e.Message})");
        }
        for (var slot = 0; slot < Slots; slot++)
        {
            var owner = OwnerFile(slot);
            if (File.Exists(owner) && OwnerAlive(owner)) continue;
            if (File.Exists(owner)) RemoveSlot(slot); // stale: its sandbox is gone
            try
            {
                using var f = new FileStream(owner, FileMode.CreateNew, FileAccess.Write);
                using var w = new StreamWriter(f);
                w.Write(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
                return new RegionNetwork(slot, regions);
            }
            catch (IOException)
            {
                // another sandbox claimed it between the check and the create
            }
        }
        throw new SandboxStartException($"--region-netns: all {Slots} network slots are held by live sandboxes (see {OwnerDir})");
    }

    /// <summary>Removes every slot whose owner is dead, and namespaces of ours without any owner file.</summary>
    public static void RemoveStale()
    {
        for (var slot = 0; slot < Slots; slot++)
        {
            var owner = OwnerFile(slot);
            if (File.Exists(owner) ? !OwnerAlive(owner) : SlotHasNamespaces(slot)) RemoveSlot(slot);
        }
    }

    /// <summary>Bridge, namespaces, veths, loopback up. On any failure what was made is removed again.</summary>
    public void Create()
    {
        RemoveStale();
        _created = true;
        try
        {
            RemoveLinks(Slot); // leftovers of an earlier owner of this slot
            Ip("link", "add", Bridge, "type", "bridge");
            Ip("addr", "add", BridgeAddress + "/24", "dev", Bridge);
            Ip("link", "set", Bridge, "up");
            for (var r = 0; r < _regions; r++)
            {
                var ns = Namespace(r);
                Ip("netns", "add", ns);
                Ip("link", "add", HostVeth(r), "type", "veth", "peer", "name", NsVeth(r));
                Ip("link", "set", NsVeth(r), "netns", ns);
                Ip("link", "set", HostVeth(r), "master", Bridge, "up");
                Ip("-n", ns, "addr", "add", Address(r) + "/24", "dev", NsVeth(r));
                Ip("-n", ns, "link", "set", NsVeth(r), "up");
                Ip("-n", ns, "link", "set", "lo", "up");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Removes namespaces (their nft tables go with them), veths, bridge and the owner file.</summary>
    public void Dispose()
    {
        if (_created) RemoveSlot(Slot);
        else File.Delete(OwnerFile(Slot));
        _created = false;
    }

    private static void RemoveSlot(int slot)
    {
        foreach (var ns in Namespaces().Where(n => SlotOf(n) == slot)) TryIp("netns", "delete", ns);
        RemoveLinks(slot);
        File.Delete(OwnerFile(slot));
    }

    private static void RemoveLinks(int slot)
    {
        foreach (var link in Links().Where(l => l.StartsWith($"{Prefix}{slot}r", StringComparison.Ordinal) || l == $"{Prefix}{slot}-br"))
            TryIp("link", "delete", link);
    }

    private static string OwnerFile(int slot) => Path.Combine(OwnerDir, $"{Prefix}{slot}.pid");

    private static bool OwnerAlive(string ownerFile) =>
        int.TryParse(File.ReadAllText(ownerFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
        && ProcFs.Alive(pid) && ProcFs.CommandLine(pid).Contains("sandbox", StringComparison.Ordinal);

    private static bool SlotHasNamespaces(int slot) => Namespaces().Any(n => SlotOf(n) == slot);

    private static int SlotOf(string name) =>
        NsName().Match(name) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;

    [GeneratedRegex(@"^fsbx(\d+)r\d+$")]
    private static partial Regex NsName();

    private static IEnumerable<string> Namespaces() =>
        Directory.Exists("/run/netns") ? Directory.EnumerateFiles("/run/netns").Select(Path.GetFileName).OfType<string>() : [];

    private static List<string> Links() =>
        Directory.Exists("/sys/class/net") ? Directory.EnumerateFileSystemEntries("/sys/class/net").Select(Path.GetFileName).OfType<string>().ToList() : [];

    private static void Ip(params string[] args)
    {
        var (code, output) = Run(args);
        if (code != 0) throw new SandboxStartException($"ip {string.Join(' ', args)}: {output.Trim()}");
    }

    private static void TryIp(params string[] args) => Run(args);

    private static (int Code, string Output) Run(string[] args)
    {
        var info = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info) ?? throw new SandboxStartException("cannot start `ip`");
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout + stderr.GetAwaiter().GetResult());
    }
}
