using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;

namespace Neutrinet.RadiusBackend.BrowserTests.Infrastructure;

public sealed record ProviderClient(string ClientId, string ClientSecret, IReadOnlyList<string> RedirectUris);

/// <summary>
/// tests/oidc-provider: the npm package oidc-provider (a certified OpenID Provider) plus a plain-OAuth2 userinfo
/// endpoint, run with node on a free loopback port. Its issuer is <c>http://localhost:PORT</c> while the backend is on
/// <c>127.0.0.1</c>: two sites, two cookie jars, as in production.
/// </summary>
public sealed class OidcProviderServer(IReadOnlyList<ProviderClient> clients) : IAsyncDisposable
{
    static readonly SemaphoreSlim Installed = new(1, 1);
    static bool _installed;
    CapturedProcess? _process;

    public int Port { get; } = FreePort.Tcp();
    public string Issuer => $"http://localhost:{Port}";
    public static string Dir => Path.Combine(Repo.Root, "tests", "oidc-provider");
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };
    public string Logs => _process?.Output ?? "";

    /// <summary><c>npm ci</c> once per test run (the lockfile pins oidc-provider and its dependencies).</summary>
    static async Task InstallAsync()
    {
        await Installed.WaitAsync();
        try
        {
            if (_installed) return;
            var psi = new ProcessStartInfo("npm")
            {
                ArgumentList = { "ci", "--no-audit", "--no-fund", "--loglevel=error" },
                WorkingDirectory = Dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            using var npm = Process.Start(psi)!;
            var stdout = npm.StandardOutput.ReadToEndAsync();
            var stderr = npm.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await npm.WaitForExitAsync(cts.Token);
            if (npm.ExitCode != 0)
                throw new InvalidOperationException($"npm ci failed in tests/oidc-provider:\n{await stdout}{await stderr}");
            _installed = true;
        }
        finally { Installed.Release(); }
    }

    public async Task StartAsync()
    {
        await InstallAsync();
        var psi = new ProcessStartInfo("node") { ArgumentList = { "server.js" }, WorkingDirectory = Dir };
        psi.Environment["PORT"] = Port.ToString(CultureInfo.InvariantCulture);
        psi.Environment["ISSUER"] = Issuer;
        psi.Environment["CLIENTS"] = JsonSerializer.Serialize(clients.Select(c => new Dictionary<string, object>
        {
            ["client_id"] = c.ClientId, ["client_secret"] = c.ClientSecret, ["redirect_uris"] = c.RedirectUris,
        }));
        _process = new CapturedProcess(psi);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (_process.HasExited)
            {
                _process.WaitForOutputToDrain();
                throw new InvalidOperationException("oidc-provider exited at start-up:\n" + _process.Output);
            }
            try
            {
                using var response = await Http.GetAsync(Issuer + "/_test/health");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException("oidc-provider did not start:\n" + _process.Output);
    }

    /// <summary>Adds a user who can sign in at the provider with <paramref name="username"/> (no password).</summary>
    public async Task AddAccountAsync(string username, string email, bool emailVerified, string name, params string[] groups)
    {
        using var response = await Http.PutAsJsonAsync($"{Issuer}/_test/accounts/{username}",
            new { email, email_verified = emailVerified, name, groups });
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null) await _process.DisposeAsync();
        Http.Dispose();
    }
}
