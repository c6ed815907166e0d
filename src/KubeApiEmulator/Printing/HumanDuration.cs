namespace Forge.KubeApiEmulator.Printing;

/// <summary>apimachinery's <c>duration.HumanDuration</c>: the AGE column's "2s", "5m10s", "3h", "4d".</summary>
internal static class HumanDuration
{
    public static string Format(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        if (seconds < -1)
        {
            return "<invalid>";
        }

        if (seconds < 0)
        {
            return "0s";
        }

        if (seconds < 60 * 2)
        {
            return $"{seconds}s";
        }

        var minutes = seconds / 60;
        if (minutes < 10)
        {
            var s = seconds % 60;
            return s == 0 ? $"{minutes}m" : $"{minutes}m{s}s";
        }

        if (minutes < 60 * 3)
        {
            return $"{minutes}m";
        }

        var hours = minutes / 60;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? $"{hours}h" : $"{hours}h{m}m";
        }

        if (hours < 48)
        {
            return $"{hours}h";
        }

        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? $"{hours / 24}d" : $"{hours / 24}d{h}h";
        }

        if (hours < 24 * 365 * 2)
        {
            return $"{hours / 24}d";
        }

        if (hours < 24 * 365 * 8)
        {
            var dy = hours / 24 % 365;
            return dy == 0 ? $"{hours / 24 / 365}y" : $"{hours / 24 / 365}y{dy}d";
        }

        return $"{hours / 24 / 365}y";
    }
}
