using System.Globalization;
using Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;
using static Neutrinet.RadiusBackend.IntegrationTests.Infrastructure.Radclient;

namespace Neutrinet.RadiusBackend.IntegrationTests;

/// <summary>A stack whose backend finds Redis through a real Sentinel, as Neutrinet runs Valkey.</summary>
public sealed class SentinelStack : Stack
{
    static readonly int SentinelPort = FreePort.Tcp();

    public SentinelStack() : base(new Dictionary<string, string>
    {
        ["Redis__Configuration"] = $"127.0.0.1:{SentinelPort},serviceName=neutrinet",
    })
    {
    }

    protected override async Task BeforeBackendStartsAsync()
    {
        var dir = TempPath("sentinel");
        System.IO.Directory.CreateDirectory(dir);
        var config = Path.Combine(dir, "sentinel.conf");
        await File.WriteAllTextAsync(config, $"""
            port {SentinelPort}
            bind 127.0.0.1
            daemonize yes
            pidfile {dir}/sentinel.pid
            logfile {dir}/sentinel.log
            dir {dir}
            sentinel monitor neutrinet 127.0.0.1 {Redis.Port} 1
            sentinel down-after-milliseconds neutrinet 5000

            """);
        await Shell.RunCheckedAsync("redis-server", [config, "--sentinel"]);
        for (var i = 0; i < 50; i++)
        {
            var master = await Shell.RunAsync("redis-cli", ["-p", SentinelPort.ToString(CultureInfo.InvariantCulture),
                "SENTINEL", "get-master-addr-by-name", "neutrinet"]);
            if (master.Stdout.Contains(Redis.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)) return;
            await Task.Delay(100);
        }
        throw new TimeoutException("Sentinel did not report the master");
    }

    public override async Task DisposeAsync()
    {
        var pidFile = Path.Combine(TempPath("sentinel"), "sentinel.pid");
        if (File.Exists(pidFile)) await Shell.RunAsync("kill", [File.ReadAllText(pidFile).Trim()]);
        await base.DisposeAsync();
    }
}

public sealed class RedisSentinelTests(SentinelStack stack) : IClassFixture<SentinelStack>
{
    [Fact]
    public async Task Through_sentinel_logins_are_cached_and_accounting_is_stored_in_the_master()
    {
        var email = Stack.NewEmail();
        var (memberId, _, token) = await stack.Backend.AddMemberAsync(email);

        var reply = await AuthAsync(stack.Radius, OpenVpnLogin(email, token, "SENTINEL0001"));
        var start = await AcctAsync(stack.Radius, OpenVpnAccounting(email, "Start", "SENTINEL0001"));
        var cached = await Shell.RunAsync("redis-cli", ["-p", stack.Redis.Port.ToString(CultureInfo.InvariantCulture), "EXISTS", "nrb:member:" + email]);
        using var ready = await stack.Backend.Http.GetAsync(stack.Backend.BaseUrl + "/readyz");

        Assert.True(reply.IsAccept, reply.Raw);
        Assert.Equal("Accounting-Response", start.Code);
        Assert.Equal("1", cached.Stdout.Trim());
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        var session = Assert.Single(await Eventually.ReadAsync(() => stack.Admin.Sessions.GetRecentSessionsAsync(memberId, 10), s => s.Count > 0));
        Assert.True(session.Open);
    }
}
