using System.Reflection;
using System.Runtime.CompilerServices;

namespace Forge.Fence;

/// <summary>
/// Compiles the fence's own methods once at startup, before the node runs. The first disable must not wait for the
/// JIT: on a starved machine (we measured load 50 on 2 cores here) compiling a cold path can take longer than the
/// disable bound. ReadyToRun publishing does the same for production images.
/// </summary>
internal static class JitWarmup
{
    public static int PrepareAll()
    {
        var count = 0;
        foreach (var type in typeof(JitWarmup).Assembly.GetTypes())
        {
            if (type.ContainsGenericParameters) continue;
            const BindingFlags all = BindingFlags.DeclaredOnly | BindingFlags.Instance | BindingFlags.Static |
                                     BindingFlags.Public | BindingFlags.NonPublic;
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                if (method.IsAbstract || method.ContainsGenericParameters || method.GetMethodBody() is null) continue;
                try
                {
                    RuntimeHelpers.PrepareMethod(method.MethodHandle);
                    count++;
                }
                catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidOperationException or BadImageFormatException)
                {
                    // P/Invoke stubs and the like: compiled on first call instead
                }
            }
        }
        return count;
    }
}
