using System.Globalization;

namespace Neutrinet.Bench.LoadGen;

/// <summary>CPU time and memory of other processes, from /proc (Linux).</summary>
internal static class ProcStat
{
    /// <summary>USER_HZ: the unit of utime/stime in /proc/PID/stat. 100 on every Linux this runs on.</summary>
    public const double TicksPerSecond = 100.0;

    /// <summary>utime + stime of the whole process (all threads), in clock ticks; -1 if the process is gone.</summary>
    public static long CpuTicks(int pid)
    {
        string text;
        try { text = File.ReadAllText(pid == 0 ? "/proc/self/stat" : $"/proc/{pid}/stat"); }
        catch (IOException) { return -1; }
        catch (UnauthorizedAccessException) { return -1; }
        // The command name (field 2) may contain spaces and parentheses: fields are counted after the last ')'.
        var rest = text.AsSpan(text.LastIndexOf(')') + 2);
        // rest starts at field 3 (state); utime is field 14, stime field 15.
        long utime = 0, stime = 0;
        var field = 3;
        foreach (var range in rest.Split(' '))
        {
            if (field == 14) utime = long.Parse(rest[range], CultureInfo.InvariantCulture);
            else if (field == 15) { stime = long.Parse(rest[range], CultureInfo.InvariantCulture); break; }
            field++;
        }
        return utime + stime;
    }

    /// <summary>VmHWM (peak resident set) and VmRSS in KiB; (-1, -1) if the process is gone.</summary>
    public static (long HwmKb, long RssKb) Memory(int pid)
    {
        long hwm = -1, rss = -1;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = Kb(line);
                else if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kb(line);
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return (hwm, rss);
    }

    static long Kb(string line) =>
        long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
}

/// <summary>A named group of processes whose CPU is summed (e.g. nginx's workers), given as name=pid,pid,...</summary>
internal sealed class Watched(string name, int[] pids)
{
    public string Name { get; } = name;
    public int[] Pids { get; } = pids;

    public long Ticks()
    {
        long sum = 0;
        foreach (var pid in Pids)
        {
            var t = ProcStat.CpuTicks(pid);
            if (t > 0) sum += t;
        }
        return sum;
    }

    public static Watched Parse(string spec)
    {
        var eq = spec.IndexOf('=');
        if (eq <= 0) throw new FormatException($"--watch wants name=pid[,pid...], got '{spec}'");
        var pids = spec[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        return new Watched(spec[..eq], pids);
    }
}
