using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;
using static Neutrinet.RadiusBackend.IntegrationTests.Infrastructure.Radclient;

namespace Neutrinet.RadiusBackend.IntegrationTests;

public sealed class AdminApiTests(Stack stack) : IClassFixture<Stack>
{
    readonly MembersClient _client = new(stack.Backend);

    async Task<Tokens> AdminAsync()
    {
        var admin = await _client.RegisterAsync();
        await stack.Admin.Directory.SetGroupMembershipAsync(admin.MemberId, "admins", true);
        return await _client.LoginAsync(admin.Email, admin.Password);
    }

    [Fact]
    public async Task Roles_are_granted_and_removed_through_ldap_groups()
    {
        var admin = await AdminAsync();
        var member = await _client.RegisterAsync();

        using var grant = await _client.SendAsync(HttpMethod.Put, $"/api/admin/members/{member.MemberId}/roles/admin", admin.AccessToken);
        var granted = await _client.GetJsonAsync("/api/auth/status", (await _client.LoginAsync(member.Email, member.Password)).AccessToken);
        using var unknownRole = await _client.SendAsync(HttpMethod.Put, $"/api/admin/members/{member.MemberId}/roles/root", admin.AccessToken);
        using var revoke = await _client.SendAsync(HttpMethod.Delete, $"/api/admin/members/{member.MemberId}/roles/admin", admin.AccessToken);
        var revoked = await _client.GetJsonAsync("/api/auth/status", (await _client.LoginAsync(member.Email, member.Password)).AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, grant.StatusCode);
        Assert.Equal(["admin", "member"], granted.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, unknownRole.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(["member"], revoked.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task Admin_lists_active_sessions_and_reactivates_a_suspended_member()
    {
        var admin = await AdminAsync();
        var member = await _client.RegisterAsync();
        var session = "ADMINLIST" + Guid.NewGuid().ToString("N")[..7];
        Assert.True((await AuthAsync(stack.Radius, OpenVpnLogin(member.Email, member.VpnToken, session))).IsAccept);
        await AcctAsync(stack.Radius, OpenVpnAccounting(member.Email, "Start", session));
        JsonElement sessions = default;
        for (var i = 0; i < 40; i++)
        {
            sessions = await _client.GetJsonAsync("/api/admin/sessions", admin.AccessToken);
            if (sessions.EnumerateArray().Any(s => s.GetProperty("open").GetBoolean())) break;
            await Task.Delay(250);
        }

        using var suspend = await _client.SendAsync(HttpMethod.Post, $"/api/admin/members/{member.MemberId}/suspend", admin.AccessToken);
        using var suspendedLogin = await _client.LoginRawAsync(member.Email, member.Password);
        using var reactivate = await _client.SendAsync(HttpMethod.Post, $"/api/admin/members/{member.MemberId}/reactivate", admin.AccessToken);
        using var unknown = await _client.SendAsync(HttpMethod.Post, "/api/admin/members/mzzzzzzzzzzzzzzzz/suspend", admin.AccessToken);
        var vpnAgain = await AuthAsync(stack.Radius, OpenVpnLogin(member.Email, member.VpnToken, session));

        Assert.Contains(sessions.EnumerateArray(), s => s.GetProperty("open").GetBoolean());
        Assert.Equal(HttpStatusCode.NoContent, suspend.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, suspendedLogin.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, reactivate.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.True(vpnAgain.IsAccept, vpnAgain.Raw);
    }
}

/// <summary>The per-client limit of the rate-limiting middleware, with a backend configured to a small limit.</summary>
public sealed class ClientRateLimitTests
{
    [Fact]
    public async Task Registration_log_in_and_refresh_share_a_per_client_limit_answered_with_429_and_retry_after()
    {
        using var dir = new TempDir("ratelimit");
        await using var ldap = new SlapdServer(dir.Sub("ldap"));
        await using var redis = new RedisServer(dir.Sub("redis"));
        await Task.WhenAll(ldap.StartAsync(), redis.StartAsync());
        await using var backend = new BackendServer(ldap, redis, new Dictionary<string, string> { ["Auth__RequestsPerClientPerMinute"] = "3" });
        await backend.StartAsync();
        var client = new MembersClient(backend);

        var member = await client.RegisterAsync();
        using var login = await client.LoginRawAsync(member.Email, member.Password);
        using var refresh = await client.RefreshRawAsync("nrt_invalid_but_counted");
        using var fourth = await client.LoginRawAsync(member.Email, member.Password);

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, fourth.StatusCode);
        Assert.NotNull(fourth.Headers.RetryAfter);
        Assert.Equal("application/problem+json", fourth.Content.Headers.ContentType?.MediaType);
        // The RADIUS path is not rate limited by the members' limiter.
        using var metrics = await backend.Http.GetAsync(backend.BaseUrl + "/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
    }
}
