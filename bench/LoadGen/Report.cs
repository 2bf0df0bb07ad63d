using System.Globalization;
using System.Text.Json;

namespace Neutrinet.Bench.LoadGen;

/// <summary>Reads the JSON lines of one bench run and prints the tables, the targets and the ratios line.</summary>
internal static class Report
{
    sealed record Line(string Variant, int Round, string Phase, string Mode, int Members, int Concurrency, double Rate,
        long Completed, long Rejects, long Timeouts, long Invalid, int P50, int P99, Dictionary<string, double> Cpu,
        Dictionary<string, long> Hwm);

    static readonly string[] Order =
        ["backend-single", "backend-two-call", "backend-cold", "backend-cold-restart", "ceiling-static", "ceiling-kestrel", "direct-ldap", "direct-ldap-cache", "accounting"];

    static readonly string[] CpuOrder = ["loadgen", "freeradius", "backend", "nginx", "stub", "slapd", "redis"];

    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Print(string path, string? acctStoredPath, TextWriter w)
    {
        var lines = File.ReadLines(path).Where(l => l.Length > 0).Select(Parse).ToList();
        if (lines.Count == 0)
        {
            w.WriteLine("report: no results");
            return 2;
        }
        var rounds = lines.Max(l => l.Round);
        long acctMissing = 0;
        var members = lines.Max(l => l.Members);

        // The measured phase of each variant: the P=64 window, or the cold pass.
        List<Line> Measured(string v) => [.. lines.Where(l => l.Variant == v && l.Phase is "high" or "cold").OrderBy(l => l.Round)];
        List<Line> Low(string v) => [.. lines.Where(l => l.Variant == v && l.Phase == "low").OrderBy(l => l.Round)];
        double? RoundRatio(string a, string b, int round)
        {
            var x = Measured(a).FirstOrDefault(l => l.Round == round);
            var y = Measured(b).FirstOrDefault(l => l.Round == round);
            return x is null || y is null || y.Rate <= 0 ? null : x.Rate / y.Rate;
        }
        double? Ratio(string a, string b) => Median([.. Enumerable.Range(1, rounds).Select(r => RoundRatio(a, b, r)).OfType<double>()]);

        var variants = Order.Where(v => Measured(v).Count > 0).Concat(lines.Select(l => l.Variant).Distinct().Where(v => !Order.Contains(v))).ToList();

        w.WriteLine();
        w.WriteLine(string.Create(Inv, $"Throughput at P={Measured(variants[0])[0].Concurrency} outstanding, {members} members, {rounds} round(s) (medians; ratios are medians of per-round ratios)"));
        w.WriteLine();
        w.WriteLine("| variant | per s (median) | min | max | / kestrel | / static | / direct-ldap | p50 ms | p99 ms | p50 ms P=1 | p99 ms P=1 | rejects | timeouts |");
        w.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var v in variants)
        {
            var m = Measured(v);
            if (m.Count == 0) continue;
            var low = Low(v);
            var all = lines.Where(l => l.Variant == v).ToList();
            var unit = m[0].Mode == "acct" ? " records" : "";
            w.WriteLine(string.Create(Inv,
                $"| {v} | {Median([.. m.Select(l => l.Rate)]):F0}{unit} | {m.Min(l => l.Rate):F0} | {m.Max(l => l.Rate):F0} | " +
                $"{Fmt(v == "accounting" ? null : Ratio(v, "ceiling-kestrel"))} | {Fmt(v == "accounting" ? null : Ratio(v, "ceiling-static"))} | {Fmt(v == "accounting" ? null : Ratio(v, "direct-ldap"))} | " +
                $"{Ms(Median([.. m.Select(l => (double)l.P50)]))} | {Ms(Median([.. m.Select(l => (double)l.P99)]))} | " +
                $"{Ms(Median([.. low.Select(l => (double)l.P50)]))} | {Ms(Median([.. low.Select(l => (double)l.P99)]))} | " +
                $"{all.Sum(l => l.Rejects)} | {all.Sum(l => l.Timeouts + l.Invalid)} |"));
        }

        if (acctStoredPath is not null && File.Exists(acctStoredPath))
        {
            var stored = File.ReadLines(acctStoredPath).Where(l => l.Length > 0).Select(l =>
            {
                using var d = JsonDocument.Parse(l);
                var r = d.RootElement;
                return (Stored: r.GetProperty("stored").GetInt64(), Expected: r.GetProperty("expected").GetInt64(), Seconds: r.GetProperty("seconds").GetDouble());
            }).ToList();
            if (stored.Count > 0)
            {
                var rates = stored.Select(x => x.Seconds > 0 ? x.Stored / x.Seconds : 0).ToArray();
                var missing = stored.Sum(x => Math.Max(0, x.Expected - x.Stored));
                w.WriteLine(string.Create(Inv,
                    $"| accounting, stored by the backend (end to end) | {Median([.. rates]):F0} records | {rates.Min():F0} | {rates.Max():F0} | - | - | - | - | - | - | - | - | {missing} not stored |"));
                if (missing > 0) acctMissing = missing;
            }
        }

        var cpuNames = CpuOrder.Where(n => variants.Any(v => Measured(v).Any(l => l.Cpu.ContainsKey(n)))).ToList();
        w.WriteLine();
        w.WriteLine("CPU microseconds per accepted login (per record for accounting), measured window, median of rounds");
        w.WriteLine();
        w.WriteLine("| variant | " + string.Join(" | ", cpuNames) + " | total | 1.9e6/total | measured/predicted |");
        w.WriteLine("|---|" + string.Concat(Enumerable.Repeat("---:|", cpuNames.Count + 3)));
        foreach (var v in variants)
        {
            var m = Measured(v);
            if (m.Count == 0) continue;
            var cells = cpuNames.Select(n => Median([.. m.Where(l => l.Cpu.ContainsKey(n)).Select(l => l.Cpu[n])])).ToList();
            var total = Median([.. m.Select(l => l.Cpu.Values.Sum())]);
            var predicted = total > 0 ? 1.9e6 / total : (double?)null;
            var measured = Median([.. m.Select(l => l.Rate)]);
            w.WriteLine(string.Create(Inv,
                $"| {v} | {string.Join(" | ", cells.Select(c => c is null ? "-" : c.Value.ToString("F1", Inv)))} | {total:F1} | {predicted:F0} | {(predicted > 0 ? measured / predicted : null):F2} |"));
        }

        w.WriteLine();
        var hwms = lines.SelectMany(l => l.Hwm.Where(kv => kv.Key == "backend").Select(kv => (l.Variant, kv.Value)))
            .GroupBy(x => x.Variant).Select(g => (Variant: g.Key, Kb: g.Max(x => x.Value))).ToList();
        foreach (var (variant, kb) in hwms)
            w.WriteLine(string.Create(Inv, $"backend peak RSS (VmHWM) {variant}: {kb / 1024.0:F0} MiB with {members} members"));
        var stubKb = lines.SelectMany(l => l.Hwm.Where(kv => kv.Key == "stub").Select(kv => kv.Value)).DefaultIfEmpty(0).Max();
        if (stubKb > 0) w.WriteLine(string.Create(Inv, $"for scale: the Kestrel stub's peak RSS {stubKb / 1024.0:F0} MiB"));

        // Targets.
        w.WriteLine();
        w.WriteLine("Targets:");
        var single = Measured("backend-single");
        var x = Median([.. single.Where(l => l.Cpu.ContainsKey("backend")).Select(l => l.Cpu["backend"])]);
        if (x is not null && single.Count > 0)
        {
            var predicted = 1.9e6 / (85 + x.Value);
            var measured = Median([.. single.Select(l => l.Rate)])!.Value;
            w.WriteLine(string.Create(Inv,
                $"  model: backend CPU X = {x:F1} us/call -> 1.9e6/(85+X) = {predicted:F0}/s; measured {measured:F0}/s ({measured / predicted:F2} of the model)"));
        }
        Target(w, "backend-single >= 0.9 x ceiling-kestrel", Ratio("backend-single", "ceiling-kestrel"), 0.9);
        Target(w, "backend-single >= 1.0 x direct-ldap", Ratio("backend-single", "direct-ldap"), 1.0);
        var cold = Measured("backend-cold");
        if (cold.Count > 0)
        {
            var errors = lines.Where(l => l.Variant == "backend-cold").Sum(l => l.Rejects + l.Timeouts + l.Invalid);
            var p99 = cold.Max(l => l.P99) / 1000.0;
            w.WriteLine(string.Create(Inv, $"  backend-cold: {members} distinct members per round, rejects+timeouts = {errors}: {(errors == 0 ? "met" : "NOT met")}"));
            w.WriteLine(string.Create(Inv, $"  backend-cold p99 < 100 ms (worst round {p99:F1} ms): {(p99 < 100 ? "met" : "NOT met")}"));
            Target(w, "backend-cold >= 0.5 x direct-ldap", Ratio("backend-cold", "direct-ldap"), 0.5);
        }
        var restart = Measured("backend-cold-restart");
        if (restart.Count > 0)
        {
            var errors = lines.Where(l => l.Variant == "backend-cold-restart").Sum(l => l.Rejects + l.Timeouts + l.Invalid);
            w.WriteLine(string.Create(Inv,
                $"  (backend-cold-restart, the same storm right after a backend restart, JIT cold: {Fmt(Ratio("backend-cold-restart", "direct-ldap"))} x direct-ldap, " +
                $"worst p99 {restart.Max(l => l.P99) / 1000.0:F1} ms, rejects+timeouts = {errors})"));
        }
        if (hwms.Count > 0)
        {
            var worst = hwms.Max(h => h.Kb) / 1024.0;
            // The target is in MB (10^6 bytes): 200 MB is 190.7 MiB.
            var worstMb = hwms.Max(h => h.Kb) * 1024.0 / 1e6;
            var verdict = worstMb < 200 ? "met" : "NOT met";
            w.WriteLine(string.Create(Inv,
                $"  backend peak RSS < 200 MB with 100,000 members: {worst:F0} MiB = {worstMb:F0} MB with {members} members: {verdict}{(members < 100_000 ? " (at this N; run --members 100000 for the target)" : "")}"));
        }

        var failures = lines.Where(l => l.Rejects + l.Timeouts + l.Invalid > 0).ToList();
        w.WriteLine();
        if (acctMissing > 0) w.WriteLine(string.Create(Inv, $"FAILED: {acctMissing} accounting records acknowledged to the NAS but not stored by the backend in time"));
        if (failures.Count > 0)
        {
            foreach (var f in failures)
                w.WriteLine(string.Create(Inv, $"FAILED: {f.Variant} round {f.Round} {f.Phase}: {f.Rejects} rejects, {f.Timeouts} timeouts, {f.Invalid} invalid answers"));
        }
        else
        {
            w.WriteLine("every phase of every variant: 0 rejects, 0 timeouts, 0 invalid answers");
        }
        w.WriteLine(string.Create(Inv,
            $"ratios: single/kestrel={Fmt(Ratio("backend-single", "ceiling-kestrel"))} single/static={Fmt(Ratio("backend-single", "ceiling-static"))} " +
            $"single/direct-ldap={Fmt(Ratio("backend-single", "direct-ldap"))} cold/direct-ldap={Fmt(Ratio("backend-cold", "direct-ldap"))} " +
            $"two-call/single={Fmt(Ratio("backend-two-call", "backend-single"))}"));
        return failures.Count > 0 || acctMissing > 0 ? 1 : 0;
    }

    static void Target(TextWriter w, string name, double? value, double threshold) =>
        w.WriteLine(string.Create(Inv, $"  {name}: {Fmt(value)} {(value is null ? "(not measured)" : value >= threshold ? "met" : "NOT met")}"));

    static string Fmt(double? v) => v is null ? "-" : v.Value.ToString("F2", Inv);
    static string Ms(double? us) => us is null ? "-" : (us.Value / 1000).ToString("F2", Inv);

    static double? Median(double[] values)
    {
        if (values.Length == 0) return null;
        Array.Sort(values);
        var mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    static Line Parse(string text)
    {
        using var doc = JsonDocument.Parse(text);
        var e = doc.RootElement;
        var cpu = e.GetProperty("cpu_us").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        var hwm = e.GetProperty("mem_kb").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("hwm").GetInt64());
        return new Line(e.GetProperty("variant").GetString()!, e.GetProperty("round").GetInt32(), e.GetProperty("phase").GetString()!,
            e.GetProperty("mode").GetString()!, e.GetProperty("members").GetInt32(), e.GetProperty("concurrency").GetInt32(),
            e.GetProperty("rate").GetDouble(), e.GetProperty("completed").GetInt64(), e.GetProperty("rejects").GetInt64(),
            e.GetProperty("timeouts").GetInt64(), e.GetProperty("invalid").GetInt64(), e.GetProperty("p50_us").GetInt32(),
            e.GetProperty("p99_us").GetInt32(), cpu, hwm);
    }
}
