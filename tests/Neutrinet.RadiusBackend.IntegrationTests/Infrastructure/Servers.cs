using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Neutrinet.RadiusBackend.Caching;

namespace Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;

static class Secrets
{
    public static string New(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}

/// <summary>A private slapd from the project's ldap/ bootstrap, started and stopped by the project's scripts.</summary>
public sealed class SlapdServer(string dir) : IAsyncDisposable
{
    public int Port { get; } = FreePort.Tcp();
    public string Dir { get; } = dir;
    public string ServicePassword { get; } = Secrets.New("svc-");
    public string ReaderPassword { get; } = Secrets.New("reader-");
    public const string ReaderDn = "cn=reader,ou=services,dc=neutrinet,dc=be";
    public const string BaseDn = "dc=neutrinet,dc=be";
    public const string ServiceDn = "cn=member-api,ou=services,dc=neutrinet,dc=be";

    Dictionary<string, string> Env => new()
    {
        ["NEUTRINET_LDAP_SERVICE_PASSWORD"] = ServicePassword,
        ["NEUTRINET_LDAP_READER_PASSWORD"] = ReaderPassword,
    };

    public Task StartAsync() => Shell.RunCheckedAsync(Repo.Script("slapd-start"), [Dir, Port.ToString(CultureInfo.InvariantCulture)], Env);
    public Task StopAsync() => Shell.RunCheckedAsync(Repo.Script("slapd-stop"), [Dir]);

    int Pid => int.Parse(File.ReadAllText(Path.Combine(Dir, "slapd.pid")).Trim(), CultureInfo.InvariantCulture);

    /// <summary>SIGSTOP: the kernel still accepts connections, nothing answers (the "hung LDAP" case).</summary>
    public Task FreezeAsync() => Shell.RunCheckedAsync("kill", ["-STOP", Pid.ToString(CultureInfo.InvariantCulture)]);
    public Task ThawAsync() => Shell.RunCheckedAsync("kill", ["-CONT", Pid.ToString(CultureInfo.InvariantCulture)]);

    /// <summary>A real LDAP client's simple bind, the way chat or Nextcloud check a password.</summary>
    public Task<ShellResult> WhoAmIAsync(string dn, string password) =>
        Shell.RunAsync("ldapwhoami", ["-x", "-H", $"ldap://127.0.0.1:{Port}", "-D", dn, "-w", password],
            new Dictionary<string, string> { ["LDAPNOINIT"] = "1" });

    public Task<ShellResult> SearchAsync(string bindDn, string password, string filter, params string[] attributes) =>
        Shell.RunAsync("ldapsearch", ["-x", "-LLL", "-H", $"ldap://127.0.0.1:{Port}", "-D", bindDn, "-w", password,
            "-b", "ou=people," + BaseDn, filter, .. attributes], new Dictionary<string, string> { ["LDAPNOINIT"] = "1" });

    public async ValueTask DisposeAsync()
    {
        try { await ThawAsync(); } catch (Exception) { /* not frozen or not running */ }
        await Shell.RunAsync(Repo.Script("slapd-stop"), [Dir]);
    }
}

public sealed class RedisServer(string dir) : IAsyncDisposable
{
    public int Port { get; } = FreePort.Tcp();
    public string Dir { get; } = dir;
    public string Configuration => $"127.0.0.1:{Port}";

    public Task StartAsync() => Shell.RunCheckedAsync(Repo.Script("redis-start"), [Dir, Port.ToString(CultureInfo.InvariantCulture)]);

    /// <summary>
    /// A client for the tests' own reads and writes. It waits far longer than the backend's 500 ms budget: on a
    /// two-core CI runner with the test classes running in parallel a single answer has taken 828 ms, and a test
    /// about what is stored must not fail on how fast the runner was.
    /// </summary>
    public RedisConnection Connect() => new(
        Options.Create(new RedisOptions { Configuration = Configuration, OperationTimeoutMs = 10_000 }),
        NullLogger<RedisConnection>.Instance);

    public Task StopAsync() => Shell.RunCheckedAsync(Repo.Script("redis-stop"), [Dir]);
    public async ValueTask DisposeAsync() => await Shell.RunAsync(Repo.Script("redis-stop"), [Dir]);
}

/// <summary>The backend as operators run it: its own process, configured by environment variables.</summary>
public sealed class BackendServer(SlapdServer ldap, RedisServer redis, IDictionary<string, string>? settings = null) : IAsyncDisposable
{
    CapturedProcess? _process;
    readonly List<string> _previousOutput = [];

    public int Port { get; } = FreePort.Tcp();
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public string ApiKey { get; } = Secrets.New("api-");
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(20) };

    /// <summary>Everything the backend wrote, across restarts.</summary>
    public string Logs => string.Concat(_previousOutput) + (_process?.Output ?? "");

    public Dictionary<string, string> Environment()
    {
        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_NOLOGO"] = "1",
            ["Ldap__Host"] = "127.0.0.1",
            ["Ldap__Port"] = ldap.Port.ToString(CultureInfo.InvariantCulture),
            ["Ldap__BindPassword"] = ldap.ServicePassword,
            ["Redis__Configuration"] = redis.Configuration,
            ["Radius__ApiKey"] = ApiKey,
            // The suite registers many members from 127.0.0.1; the per-account limit stays at its default.
            ["Auth__RequestsPerClientPerMinute"] = "100000",
            ["Auth__RefreshReuseGrace"] = "00:00:02",
        };
        if (settings is not null) foreach (var (k, v) in settings) env[k] = v;
        return env;
    }

    public async Task StartAsync()
    {
        var psi = new ProcessStartInfo("dotnet") { ArgumentList = { Repo.BackendDll(), "--urls", BaseUrl } };
        foreach (var (k, v) in Environment()) psi.Environment[k] = v;
        _process = new CapturedProcess(psi);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
            {
                _process.WaitForOutputToDrain();
                throw new InvalidOperationException("Backend exited at start-up:\n" + _process.Output);
            }
            try
            {
                using var response = await Http.GetAsync(BaseUrl + "/healthz");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException("Backend did not become healthy:\n" + _process.Output);
    }

    public async Task StopAsync()
    {
        if (_process is null) return;
        await _process.DisposeAsync();
        _previousOutput.Add(_process.Output);
        _process = null;
    }

    /// <summary>Runs the backend's own <c>member add</c> command against the same LDAP and Redis.</summary>
    public async Task<(string MemberId, string Email, string Token)> AddMemberAsync(string email, params string[] options)
    {
        var result = await Shell.RunCheckedAsync("dotnet", [Repo.BackendDll(), "member", "add", email, .. options], Environment());
        string Value(string key) => result.Stdout.Split('\n').Select(l => l.Trim())
            .First(l => l.StartsWith(key + "=", StringComparison.Ordinal))[(key.Length + 1)..];
        return (Value("member_id"), Value("email"), Value("vpn_token"));
    }

    /// <summary>Restarts the process on the same port with the same configuration.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public async Task<string> ScrapeMetricsAsync() => await Http.GetStringAsync(BaseUrl + "/metrics");

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Http.Dispose();
    }
}

/// <summary>The project's freeradius/ configuration, copied to a temp dir by the project's script.</summary>
public sealed class FreeRadiusServer(string dir, BackendServer backend) : IAsyncDisposable
{
    public int AuthPort { get; } = FreePort.Udp();
    public int AcctPort { get; } = FreePort.Udp();
    public string Secret { get; } = Secrets.New("rad-");

    Dictionary<string, string> Env => new()
    {
        ["NEUTRINET_BACKEND_URL"] = backend.BaseUrl,
        ["NEUTRINET_API_KEY"] = backend.ApiKey,
        ["NEUTRINET_RADIUS_SECRET"] = Secret,
        ["RADIUS_AUTH_PORT"] = AuthPort.ToString(CultureInfo.InvariantCulture),
        ["RADIUS_ACCT_PORT"] = AcctPort.ToString(CultureInfo.InvariantCulture),
        ["RADIUS_LISTEN_ADDR"] = "127.0.0.1",
        ["RADIUS_THREADS"] = "8",
    };

    public Task StartAsync() => Shell.RunCheckedAsync(Repo.Script("freeradius-start"), [dir], Env, timeout: TimeSpan.FromSeconds(30));
    public async ValueTask DisposeAsync() => await Shell.RunAsync(Repo.Script("freeradius-stop"), [dir]);
}
