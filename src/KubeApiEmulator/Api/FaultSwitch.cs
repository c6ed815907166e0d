namespace Forge.KubeApiEmulator.Api;

/// <summary>Holds the injected <see cref="FaultMode"/> and lets requests wait while the server "hangs".</summary>
internal sealed class FaultSwitch
{
    private readonly object _gate = new();
    private TaskCompletionSource _recovered = NewSource();
    private FaultMode _mode;

    public FaultMode Mode
    {
        get
        {
            lock (_gate)
            {
                return _mode;
            }
        }
    }

    /// <summary>Sets the mode; leaving <see cref="FaultMode.Hang"/> releases the requests it held.</summary>
    public void Set(FaultMode mode)
    {
        lock (_gate)
        {
            _mode = mode;
            if (mode == FaultMode.None)
            {
                _recovered.TrySetResult();
                _recovered = NewSource();
            }
        }
    }

    /// <summary>Throws 503 under Unavailable; under Hang waits until the mode changes or the request is aborted.</summary>
    public async Task PassAsync(CancellationToken aborted)
    {
        while (true)
        {
            Task recovered;
            lock (_gate)
            {
                if (_mode == FaultMode.Unavailable)
                {
                    throw ApiException.Unavailable();
                }

                if (_mode == FaultMode.None)
                {
                    return;
                }

                recovered = _recovered.Task;
            }

            await recovered.WaitAsync(aborted);
        }
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
