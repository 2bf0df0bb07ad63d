using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Neutrinet.Bench.LoadGen;

// LoadGen gen    --members N --out DIR
// LoadGen load   --server HOST:PORT --members FILE [--mode auth|acct] [--concurrency P] [--duration S --warm S | --passes K]
//                [--timeout S] [--sockets K] [--watch name=pid[,pid]]... [--variant V --round R --phase PH --out FILE]
//                (the RADIUS shared secret comes from the environment variable BENCH_RADIUS_SECRET)
// LoadGen report --in FILE [--members N]
try
{
    if (args.Length == 0) return Usage();
    var options = Options.Parse(args.AsSpan(1));
    return args[0] switch
    {
        "gen" => Gen(options),
        "load" => Load(options),
        "report" => Report.Print(options.Get("in") ?? throw new ArgumentException("--in is required"), options.Get("acct-stored"), Console.Out),
        _ => Usage(),
    };
}
catch (Exception e) when (e is ArgumentException or FormatException or IOException)
{
    Console.Error.WriteLine($"loadgen: {e.Message}");
    return 2;
}

static int Usage()
{
    Console.Error.WriteLine("usage: LoadGen gen|load|report [options] (see bench/README.md)");
    return 2;
}

static int Gen(Options o)
{
    var count = o.Int("members", 10_000);
    var dir = o.Get("out") ?? throw new ArgumentException("--out is required");
    Generator.Write(count, dir);
    Console.Error.WriteLine($"loadgen: wrote {count} members to {dir}/members.ldif and {dir}/members.tsv");
    return 0;
}

static int Load(Options o)
{
    var secret = Environment.GetEnvironmentVariable("BENCH_RADIUS_SECRET");
    if (string.IsNullOrEmpty(secret)) throw new ArgumentException("BENCH_RADIUS_SECRET is not set");
    var server = IPEndPoint.Parse(o.Get("server") ?? throw new ArgumentException("--server is required"));
    var members = Member.Load(o.Get("members") ?? throw new ArgumentException("--members is required"));
    var mode = o.Get("mode") switch { null or "auth" => LoadMode.Auth, "acct" => LoadMode.Acct, var m => throw new ArgumentException($"unknown --mode {m}") };
    var load = new LoadOptions
    {
        Server = server,
        Secret = Encoding.UTF8.GetBytes(secret),
        Members = members,
        Mode = mode,
        Concurrency = o.Int("concurrency", 64),
        Passes = o.Int("passes", 0),
        Sessions = o.Int("sessions", 0),
        WarmSeconds = o.Double("warm", 1),
        DurationSeconds = o.Double("duration", 8),
        TimeoutSeconds = o.Double("timeout", 3),
        Sockets = o.Int("sockets", 0),
        Watch = [.. o.All("watch").Select(Watched.Parse)],
    };
    var result = new Runner(load).Run();

    var variant = o.Get("variant") ?? "adhoc";
    var phase = o.Get("phase") ?? (load.Passes > 0 || load.Sessions > 0 ? "pass" : "high");
    var line = ToJson(result, load, variant, o.Int("round", 0), phase);
    if (o.Get("out") is { } path) File.AppendAllText(path, line + "\n");

    var unit = mode == LoadMode.Auth ? "accepts/s" : "records/s";
    var cpu = string.Join(" ", result.CpuUsPerCompleted.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value:F1}")));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{variant,-18} r{o.Int("round", 0)} {phase,-6} P={load.Concurrency,-3} {result.Rate,9:F0} {unit}  p50={Pct(result.LatenciesUs, 0.50) / 1000.0:F2}ms p99={Pct(result.LatenciesUs, 0.99) / 1000.0:F2}ms  " +
        $"accepts={result.Accepts} rejects={result.Rejects} timeouts={result.Timeouts} invalid={result.Invalid}  cpu_us/op: {cpu}"));
    return result.Rejects + result.Timeouts + result.Invalid > 0 ? 1 : 0;
}

static int Pct(int[] sorted, double q) =>
    sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

static string ToJson(LoadResult r, LoadOptions o, string variant, int round, string phase)
{
    using var stream = new MemoryStream();
    using (var json = new Utf8JsonWriter(stream))
    {
        json.WriteStartObject();
        json.WriteString("variant", variant);
        json.WriteNumber("round", round);
        json.WriteString("phase", phase);
        json.WriteString("mode", o.Mode == LoadMode.Auth ? "auth" : "acct");
        json.WriteNumber("members", o.Members.Length);
        json.WriteNumber("concurrency", o.Concurrency);
        json.WriteNumber("window_s", Math.Round(r.WindowSeconds, 4));
        json.WriteNumber("completed", r.Completed);
        json.WriteNumber("rate", Math.Round(r.Rate, 1));
        json.WriteNumber("sent", r.Sent);
        json.WriteNumber("accepts", r.Accepts);
        json.WriteNumber("records", r.Records);
        json.WriteNumber("rejects", r.Rejects);
        json.WriteNumber("timeouts", r.Timeouts);
        json.WriteNumber("invalid", r.Invalid);
        json.WriteNumber("late", r.Late);
        json.WriteNumber("socket_errors", r.SocketErrors);
        json.WriteNumber("samples", r.LatenciesUs.Length);
        json.WriteNumber("p50_us", Pct(r.LatenciesUs, 0.50));
        json.WriteNumber("p90_us", Pct(r.LatenciesUs, 0.90));
        json.WriteNumber("p99_us", Pct(r.LatenciesUs, 0.99));
        json.WriteNumber("max_us", r.LatenciesUs.Length > 0 ? r.LatenciesUs[^1] : 0);
        json.WriteStartObject("cpu_us");
        foreach (var (name, us) in r.CpuUsPerCompleted) json.WriteNumber(name, Math.Round(us, 2));
        json.WriteEndObject();
        json.WriteStartObject("cpu_cores");
        foreach (var (name, cores) in r.CpuCores) json.WriteNumber(name, Math.Round(cores, 3));
        json.WriteEndObject();
        json.WriteStartObject("mem_kb");
        foreach (var (name, (hwm, rss)) in r.Memory)
        {
            json.WriteStartObject(name);
            json.WriteNumber("hwm", hwm);
            json.WriteNumber("rss", rss);
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }
    return Encoding.UTF8.GetString(stream.ToArray());
}

/// <summary>--name value pairs; a name may repeat (--watch).</summary>
internal sealed class Options
{
    readonly List<(string Name, string Value)> _pairs = [];

    public static Options Parse(ReadOnlySpan<string> args)
    {
        var o = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"expected --name value, got '{args[i]}'");
            o._pairs.Add((args[i][2..], args[++i]));
        }
        return o;
    }

    public string? Get(string name) => _pairs.LastOrDefault(p => p.Name == name).Value;
    public IEnumerable<string> All(string name) => _pairs.Where(p => p.Name == name).Select(p => p.Value);
    public int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
    public double Double(string name, double fallback) => Get(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
