using System.Diagnostics;
using System.Text;

namespace Forge.Sandbox.Tests;

/// <summary>
/// The shell's interactive prompt against the sandbox, on a terminal: <c>script</c> (util-linux, as <c>setpriv</c>) gives
/// the client a pseudo-terminal, so it runs its prompt, line editor and completion exactly as an operator sees them.
/// Keys are typed once the screen shows what the previous ones should have produced.
/// </summary>
public sealed partial class SandboxProcessTests
{
    [Fact]
    public void T25_shell_prompt_completes_the_names_the_host_sent_and_keeps_history()
    {
        AwaitNormal();
        var host = sandbox.Manifest().Regions[0].Coordinators[0].Shell;
        var history = Path.Combine(sandbox.Root, "shell-history");
        var prompt = $"[{host}] forge> ";
        var info = new ProcessStartInfo("script")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "-qfec", $"{sandbox.Exe} shell {host}", "/dev/null" }) info.ArgumentList.Add(a);
        info.Environment["FORGE_SHELL_HISTORY"] = history;
        info.Environment["TERM"] = "xterm";
        using var client = Process.Start(info)!;
        var screen = new Screen(client.StandardOutput);
        try
        {
            screen.Await(prompt, "the prompt");
            // a palette name, then two command names sharing "s" (listed), then one completed by typing on
            Type(client, screen, "clu\t", $"{prompt}cluster \u001b[K");
            Type(client, screen, "s\t", "\r\nshow  status\r\n");
            Type(client, screen, "how\r", "Count: 3 nodes");
            Type(client, screen, "fo\t", $"{prompt}forge \u001b[K");
            Type(client, screen, "gr\t", $"{prompt}forge grants \u001b[K");
            Type(client, screen, "\r", "REGIONS");
            // a command's switch; Ctrl-U drops the line unrun
            Type(client, screen, "forge failover --t\t", $"{prompt}forge failover --to \u001b[K");
            Type(client, screen, "\u0015", $"{prompt}\u001b[K");
            client.StandardInput.Write("exit\r");
            client.StandardInput.Flush();
            Assert.True(client.WaitForExit(30_000), "the client leaves on exit");
            Assert.Equal(0, client.ExitCode);
        }
        finally
        {
            Log(screen.Text.Replace("\u001b[K", "", StringComparison.Ordinal));
            if (!client.HasExited) client.Kill(entireProcessTree: true);
        }
        Assert.Equal(["cluster show", "forge grants", "exit"], File.ReadAllLines(history));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(history));
    }

    private static void Type(Process client, Screen screen, string keys, string expect)
    {
        var from = screen.Length;
        client.StandardInput.Write(keys);
        client.StandardInput.Flush();
        screen.Await(expect, $"after typing {keys.Replace("\t", "<Tab>", StringComparison.Ordinal).Replace("\r", "<Enter>", StringComparison.Ordinal)}", from);
    }

    /// <summary>Everything the terminal showed, read as it comes.</summary>
    private sealed class Screen
    {
        private readonly StringBuilder _text = new();
        private readonly Lock _gate = new();

        public Screen(StreamReader output) => _ = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = await output.ReadAsync(buffer)) > 0)
                lock (_gate) _text.Append(buffer, 0, n);
        });

        public string Text
        {
            get
            {
                lock (_gate) return _text.ToString();
            }
        }

        public int Length
        {
            get
            {
                lock (_gate) return _text.Length;
            }
        }

        public void Await(string expect, string what, int from = 0) =>
            Poll.Until(() => Text[from..].Contains(expect, StringComparison.Ordinal), TimeSpan.FromSeconds(30), $"{what}: {expect}");
    }
}
