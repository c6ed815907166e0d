using Akka.Actor;
using Forge.Arbiter;

namespace Forge.Benchmarks.Scale;

/// <summary>Durations in milliseconds collected from several threads (decisions, quorum writes), read as a window.</summary>
public sealed class Samples
{
    private readonly object _gate = new();
    private List<double> _ms = [];

    public void Add(TimeSpan t)
    {
        lock (_gate) _ms.Add(t.TotalMilliseconds);
    }

    /// <summary>The samples since the last call (a window), and a fresh start.</summary>
    public List<double> Take()
    {
        lock (_gate)
        {
            var taken = _ms;
            _ms = [];
            return taken;
        }
    }

    /// <summary>An actor that adds the arbiter's own timing of each Decide (<see cref="ArbiterDecisionMeasured"/>).</summary>
    public static Props DecisionListener(Samples samples) => Props.Create(() => new DecisionListenerActor(samples));

    private sealed class DecisionListenerActor : ReceiveActor
    {
        public DecisionListenerActor(Samples samples) => Receive<ArbiterDecisionMeasured>(m => samples.Add(m.Latency));
    }
}
