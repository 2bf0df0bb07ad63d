using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;

public static class Repo
{
    public static readonly string Root = FindRoot();

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Neutrinet.RadiusBackend.sln"))) return dir.FullName;
        throw new InvalidOperationException("Repository root not found above " + AppContext.BaseDirectory);
    }

    public static string Script(string name) => Path.Combine(Root, "scripts", "lib", name);

    /// <summary>The backend built in the same configuration as these tests (the project reference builds it).</summary>
    public static string BackendDll()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        return Path.Combine(Root, "src", "Neutrinet.RadiusBackend", "bin", configuration, "net10.0", "Neutrinet.RadiusBackend.dll");
    }
}

/// <summary>
/// Loopback ports for the servers the tests start, taken below the kernel's ephemeral range: a port the kernel hands
/// out for a bind to port 0 can be taken by any outgoing connection before the server binds it (a run failed on that:
/// the stack command's backend found its port in use after building). Never the same port twice in a process.
/// </summary>
public static class FreePort
{
    static readonly HashSet<int> Given = [];
    static readonly (int First, int End) Range = BelowEphemeralRange();

    public static int Tcp() => Take(udpToo: false);

    /// <summary>A UDP port that is also free over TCP (FreeRADIUS binds UDP only, but keep them apart anyway).</summary>
    public static int Udp() => Take(udpToo: true);

    static int Take(bool udpToo)
    {
        lock (Given)
        {
            var count = Range.End - Range.First;
            var start = Random.Shared.Next(count);
            for (var i = 0; i < count; i++)
            {
                var port = Range.First + (start + i) % count;
                if (Given.Contains(port) || !IsFree(port, SocketType.Stream, ProtocolType.Tcp)
                    || (udpToo && !IsFree(port, SocketType.Dgram, ProtocolType.Udp)))
                    continue;
                Given.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException($"No free loopback port in {Range.First}-{Range.End - 1}");
    }

    static bool IsFree(int port, SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The 12,000 ports below the first ephemeral one (32768 on Debian).</summary>
    static (int First, int End) BelowEphemeralRange()
    {
        var firstEphemeral = 32768;
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range")
                .Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
            firstEphemeral = int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            // Not Linux: the default above.
        }
        return (Math.Max(1024, firstEphemeral - 12_000), firstEphemeral);
    }
}

public sealed record ShellResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;
}

public static class Shell
{
    public static async Task<ShellResult> RunAsync(string file, IEnumerable<string> args, IDictionary<string, string>? env = null,
        string? stdin = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time");
        }
        return new ShellResult(process.ExitCode, await stdout, await stderr);
    }

    public static async Task<ShellResult> RunCheckedAsync(string file, IEnumerable<string> args, IDictionary<string, string>? env = null,
        string? stdin = null, TimeSpan? timeout = null)
    {
        var result = await RunAsync(file, args, env, stdin, timeout);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} failed ({result.ExitCode}): {result.Output}");
        return result;
    }
}

public sealed class TempDir : IDisposable
{
    public TempDir(string prefix)
    {
        Path = System.IO.Directory.CreateTempSubdirectory("nrb-" + prefix + "-").FullName;
    }

    public string Path { get; }
    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A process whose output is captured line by line (the backend's logs are asserted on).</summary>
public sealed class CapturedProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly StringBuilder _output = new();

    public CapturedProcess(ProcessStartInfo psi)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        _process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    /// <summary>After exit, waits until the redirected output has been read to its end.</summary>
    public void WaitForOutputToDrain() => _process.WaitForExit();
    public bool HasExited => _process.HasExited;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        // SIGTERM first so the host shuts down cleanly; then make sure.
        Shell.RunAsync("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]).Wait();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); await _process.WaitForExitAsync(); }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }
}
