using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Forge.Decider;
using Forge.Health;
using Xunit;

namespace Forge.Coordinator.Tests.Health;

/// <summary>A probe whose answers the test scripts, one TaskCompletionSource per call.</summary>
internal sealed class ScriptedProbe : IHealthProbe
{
    public readonly BlockingCollection<(Uri Endpoint, ImmutableDictionary<string, string> Headers, TimeSpan Timeout, TaskCompletionSource<ProbeResult> Answer, CancellationToken Ct)> Calls = new();

    public Task<ProbeResult> ProbeAsync(Uri endpoint, ImmutableDictionary<string, string> headers, TimeSpan timeout, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource<ProbeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Calls.Add((endpoint, headers, timeout, tcs, ct), CancellationToken.None);
        return tcs.Task;
    }

    public (Uri Endpoint, ImmutableDictionary<string, string> Headers, TimeSpan Timeout, TaskCompletionSource<ProbeResult> Answer, CancellationToken Ct) Next()
    {
        Assert.True(Calls.TryTake(out var call, TimeSpan.FromSeconds(10)), "no probe call within 10s");
        return call;
    }
}

public class HealthProberSpec : TestKit
{
    private static readonly HealthSettings Settings = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), 3, TimeSpan.FromMilliseconds(50));

    private static HealthCheckSpec Spec(string endpoint = "http://node.example/health", string? interval = "100ms") =>
        new(true, endpoint, interval, "250ms", 3, ImmutableDictionary<string, string>.Empty.Add("Authorization", "Bearer x"));

    [Fact]
    public void Counts_consecutive_failures_and_resets_on_success()
    {
        var probe = new ScriptedProbe();
        Sys.ActorOf(HealthProber.Props("pool", "c1", Spec(), probe, Settings, TestActor));

        var first = probe.Next();
        Assert.Equal("http://node.example/health", first.Endpoint.ToString());
        Assert.Equal("Bearer x", first.Headers["Authorization"]);
        Assert.Equal(TimeSpan.FromMilliseconds(250), first.Timeout);
        first.Answer.SetResult(new ProbeResult(false, "HTTP 503"));
        var r1 = ExpectMsg<HealthReport>();
        Assert.Equal(1, r1.Observation.ConsecutiveFailures);
        Assert.Equal("HTTP 503", r1.Observation.Message);

        probe.Next().Answer.SetResult(new ProbeResult(false, "timed out"));
        Assert.Equal(2, ExpectMsg<HealthReport>().Observation.ConsecutiveFailures);

        probe.Next().Answer.SetException(new InvalidOperationException("boom"));
        var r3 = ExpectMsg<HealthReport>();
        Assert.Equal(3, r3.Observation.ConsecutiveFailures);
        Assert.Contains("boom", r3.Observation.Message);

        probe.Next().Answer.SetResult(new ProbeResult(true, "HTTP 200"));
        var ok = ExpectMsg<HealthReport>();
        Assert.Equal(0, ok.Observation.ConsecutiveFailures);
        Assert.True(ok.LastProbeHealthy);
        Assert.Null(ok.Observation.Message);
    }

    [Fact]
    public void One_probe_at_a_time_and_a_spec_change_cancels_the_call_in_flight()
    {
        var probe = new ScriptedProbe();
        var prober = Sys.ActorOf(HealthProber.Props("pool", "c1", Spec(), probe, Settings, TestActor));
        var slow = probe.Next();
        ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // no report and no second call while one is in flight
        Assert.Empty(probe.Calls);

        prober.Tell(new HealthProber.UpdateSpec(Spec("http://other.example/ready")));
        AwaitCondition(() => slow.Ct.IsCancellationRequested, TimeSpan.FromSeconds(3));
        var next = probe.Next();
        Assert.Equal("http://other.example/ready", next.Endpoint.ToString());
        slow.Answer.TrySetResult(new ProbeResult(false, "late")); // the old call's answer is ignored
        next.Answer.SetResult(new ProbeResult(true, "HTTP 204"));
        var report = ExpectMsg<HealthReport>();
        Assert.True(report.LastProbeHealthy);
        Assert.Equal(0, report.Observation.ConsecutiveFailures);
    }

    [Fact]
    public void A_bad_endpoint_is_a_failure_with_a_message_naming_the_field()
    {
        var probe = new ScriptedProbe();
        Sys.ActorOf(HealthProber.Props("pool", "c1", Spec("ftp://x"), probe, Settings, TestActor));
        var r = ExpectMsg<HealthReport>();
        Assert.Equal(1, r.Observation.ConsecutiveFailures);
        Assert.Contains("spec.healthCheck.endpoint", r.Observation.Message);
    }

    [Fact]
    public async Task Http_probe_treats_2xx_as_healthy_and_sends_headers()
    {
        using var listener = new System.Net.HttpListener();
        var port = System.Net.Sockets.TcpListener.Create(0).Let(l => { l.Start(); var p = ((System.Net.IPEndPoint)l.LocalEndpoint).Port; l.Stop(); return p; });
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var serve = Task.Run(async () =>
        {
            for (var i = 0; i < 2; i++)
            {
                var ctx = await listener.GetContextAsync();
                ctx.Response.StatusCode = ctx.Request.Headers["X-Probe"] == "yes" && ctx.Request.Url!.AbsolutePath == "/ok" ? 204 : 500;
                ctx.Response.Close();
            }
        });
        var http = new HttpHealthProbe(new HttpClient());
        var headers = ImmutableDictionary<string, string>.Empty.Add("X-Probe", "yes");
        var ok = await http.ProbeAsync(new Uri($"http://127.0.0.1:{port}/ok"), headers, TimeSpan.FromSeconds(15), default);
        var bad = await http.ProbeAsync(new Uri($"http://127.0.0.1:{port}/bad"), headers, TimeSpan.FromSeconds(15), default);
        await serve;
        Assert.True(ok.Healthy, ok.Message);
        Assert.False(bad.Healthy);
        Assert.Contains("500", bad.Message);
        var refused = await http.ProbeAsync(new Uri($"http://127.0.0.1:{port}/gone"), headers, TimeSpan.FromSeconds(15), default);
        Assert.False(refused.Healthy);
    }
}

internal static class LetExtension
{
    public static TR Let<T, TR>(this T value, Func<T, TR> f) => f(value);
}
