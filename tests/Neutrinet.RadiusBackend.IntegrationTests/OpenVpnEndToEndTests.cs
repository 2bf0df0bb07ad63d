using System.Net;
using Neutrinet.RadiusBackend.Directory;
using Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;

namespace Neutrinet.RadiusBackend.IntegrationTests;

/// <summary>The test stack plus an OpenVPN server and client in two network namespaces (see <see cref="OpenVpnLab"/>).</summary>
public sealed class OpenVpnStack : Stack, IAsyncLifetime
{
    public OpenVpnLab Vpn { get; } = new();

    async Task IAsyncLifetime.InitializeAsync()
    {
        try
        {
            await InitializeAsync();
            await Vpn.StartAsync(Radius);
        }
        catch
        {
            await ((IAsyncLifetime)this).DisposeAsync();
            throw;
        }
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        try { await Vpn.DisposeAsync(); }
        finally { await DisposeAsync(); }
    }
}

/// <summary>
/// A member registered through the members API connects with OpenVPN (radiusplugin -> FreeRADIUS -> backend), with
/// the repository's openvpn/ files; accounting goes through FreeRADIUS' spool to the backend.
/// </summary>
public sealed class OpenVpnEndToEndTests(OpenVpnStack stack) : IClassFixture<OpenVpnStack>
{
    /// <summary>Delivery normally takes about a second; generous for a loaded 2-core CI machine, but bounded.</summary>
    static readonly TimeSpan Delivery = TimeSpan.FromSeconds(30);

    readonly MembersClient _client = new(stack.Backend);

    [Fact]
    public async Task A_registered_member_connects_with_its_vpn_token_gets_its_static_address_and_its_session_is_accounted()
    {
        var member = await _client.RegisterAsync();
        await stack.Admin.Members.SetRadiusProfileAsync(await stack.Admin.GetAsync(member.Email), new RadiusProfile("10.8.0.77", null, [], null));
        var tokens = await _client.LoginAsync(member.Email, member.Password);

        await using var vpn = await stack.Vpn.ConnectAsync(member.Email, member.VpnToken);
        Assert.True(vpn.Connected, "client:\n" + vpn.Output + "\nserver:\n" + stack.Vpn.ServerLog);

        var address = await stack.Vpn.Client.IpAsync("-4", "-o", "addr", "show", "dev", vpn.Device);
        Assert.Contains("inet 10.8.0.77/24", address.Stdout, StringComparison.Ordinal);
        // ICMP echo from the client's namespace to the server's tunnel address: only the tunnel connects them.
        Assert.Equal(3, await IcmpPing.PingAsync(stack.Vpn.Client, IPAddress.Parse(OpenVpnLab.ServerTunAddress), 3));

        var open = await Eventually.ReadAsync(() => _client.GetJsonAsync("/api/members/me/sessions", tokens.AccessToken),
            s => s.GetArrayLength() == 1 && s[0].GetProperty("open").GetBoolean(), Delivery);
        var session = Assert.Single(open.EnumerateArray());
        Assert.True(session.GetProperty("open").GetBoolean(), open.ToString());
        Assert.Equal("10.8.0.77", session.GetProperty("framedIpAddress").GetString());
        Assert.Equal(OpenVpnLab.ClientAddress, session.GetProperty("callingStationId").GetString());

        // Long enough for a non-zero session time, and for the status file (refreshed every second) to count the ping.
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        await vpn.DisconnectAsync();

        var closed = await Eventually.ReadAsync(() => _client.GetJsonAsync("/api/members/me/sessions", tokens.AccessToken),
            s => s.GetArrayLength() == 1 && !s[0].GetProperty("open").GetBoolean(), Delivery);
        session = Assert.Single(closed.EnumerateArray());
        Assert.False(session.GetProperty("open").GetBoolean(), "no Stop stored: " + closed + "\nserver:\n" + stack.Vpn.ServerLog);
        Assert.True(session.GetProperty("durationSeconds").GetInt64() >= 1, closed.ToString());
        // Three pings of 84-byte IP packets each way, plus the OpenVPN overhead.
        Assert.True(session.GetProperty("inputOctets").GetUInt64() >= 3 * 84, closed.ToString());
        Assert.True(session.GetProperty("outputOctets").GetUInt64() >= 3 * 84, closed.ToString());
    }

    [Fact]
    public async Task A_session_that_ends_while_the_backend_is_stopped_is_closed_once_the_backend_is_back()
    {
        var member = await _client.RegisterAsync();
        await using var vpn = await stack.Vpn.ConnectAsync(member.Email, member.VpnToken);
        Assert.True(vpn.Connected, "client:\n" + vpn.Output + "\nserver:\n" + stack.Vpn.ServerLog);
        Assert.Equal(2, await IcmpPing.PingAsync(stack.Vpn.Client, IPAddress.Parse(OpenVpnLab.ServerTunAddress), 2));
        var open = await Eventually.ReadAsync(() => stack.Admin.Sessions.GetRecentSessionsAsync(member.MemberId, 10), s => s.Count == 1, Delivery);
        Assert.True(Assert.Single(open).Open);

        await stack.Backend.StopAsync();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1.2)); // a non-zero session time
            await vpn.DisconnectAsync();
            // radiusplugin got its Accounting-Response from FreeRADIUS' spool; the Stop waits there.
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.True(Assert.Single(await stack.Admin.Sessions.GetRecentSessionsAsync(member.MemberId, 10)).Open);
        }
        finally
        {
            await stack.Backend.StartAsync();
        }

        var closed = await Eventually.ReadAsync(() => stack.Admin.Sessions.GetRecentSessionsAsync(member.MemberId, 10),
            s => s.Count == 1 && !s[0].Open, Delivery);
        var session = Assert.Single(closed);
        Assert.False(session.Open, "the Stop never arrived\nserver:\n" + stack.Vpn.ServerLog);
        Assert.True(session.SessionTimeSeconds >= 1);
        Assert.True(session.InputOctets > 0 && session.OutputOctets > 0);
    }

    [Fact]
    public async Task A_wrong_token_and_a_suspended_member_get_auth_failed()
    {
        var member = await _client.RegisterAsync();

        await using (var wrong = await stack.Vpn.ConnectAsync(member.Email, member.VpnToken[..^2] + "xx"))
        {
            Assert.False(wrong.Connected, wrong.Output);
            Assert.True(await wrong.WaitForExitAsync(TimeSpan.FromSeconds(20)), "client still running:\n" + wrong.Output);
            Assert.Contains("AUTH_FAILED", wrong.Output, StringComparison.Ordinal);
        }

        await stack.AdminChangeAsync(async m => await m.SetSuspendedAsync(await stack.Admin.GetAsync(member.Email), true));
        await using (var suspended = await stack.Vpn.ConnectAsync(member.Email, member.VpnToken))
        {
            Assert.False(suspended.Connected, suspended.Output);
            Assert.True(await suspended.WaitForExitAsync(TimeSpan.FromSeconds(20)), "client still running:\n" + suspended.Output);
            Assert.Contains("AUTH_FAILED", suspended.Output, StringComparison.Ordinal);
        }

        // The same token works once the member is reactivated: the failures above were the decisions, not the setup.
        await stack.AdminChangeAsync(async m => await m.SetSuspendedAsync(await stack.Admin.GetAsync(member.Email), false));
        await using var reactivated = await stack.Vpn.ConnectAsync(member.Email, member.VpnToken);
        Assert.True(reactivated.Connected, reactivated.Output);
    }
}

/// <summary>The Debian deployment's systemd unit (deploy/systemd/) is valid for systemd itself.</summary>
public sealed class SystemdUnitTests
{
    [Fact]
    public async Task Backend_unit_passes_systemd_analyze_verify()
    {
        var unit = Path.Combine(Repo.Root, "deploy", "systemd", "neutrinet-radius-backend.service");
        Assert.True(File.Exists(unit), unit);
        // verify checks that ExecStart's program exists: the unit runs /usr/bin/dotnet like a Debian host with the
        // .NET runtime package. Elsewhere, check a copy naming the dotnet of this machine instead.
        var text = await File.ReadAllTextAsync(unit);
        using var dir = new TempDir("systemd");
        var copy = Path.Combine(dir.Path, Path.GetFileName(unit));
        var dotnet = File.Exists("/usr/bin/dotnet") ? "/usr/bin/dotnet" : Environment.ProcessPath!;
        await File.WriteAllTextAsync(copy, text.Replace("ExecStart=/usr/bin/dotnet ", $"ExecStart={dotnet} ", StringComparison.Ordinal));

        var result = await Shell.RunAsync("systemd-analyze", ["verify", "--man=no", copy],
            new Dictionary<string, string> { ["SYSTEMD_LOG_LEVEL"] = "notice" });

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.DoesNotContain(Path.GetFileName(unit) + ":", result.Output, StringComparison.Ordinal); // no warning about the unit itself
        Assert.Contains("ProtectSystem=strict", text, StringComparison.Ordinal);
        Assert.Contains("NoNewPrivileges=yes", text, StringComparison.Ordinal);
        Assert.Contains("EnvironmentFile=", text, StringComparison.Ordinal);
    }
}
