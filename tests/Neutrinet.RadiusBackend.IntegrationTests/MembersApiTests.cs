using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;
using static Neutrinet.RadiusBackend.IntegrationTests.Infrastructure.Radclient;

namespace Neutrinet.RadiusBackend.IntegrationTests;

/// <summary>The AuthManager, the simple-form module and the members API against real slapd, redis and FreeRADIUS.</summary>
public sealed class MembersApiTests(Stack stack) : IClassFixture<Stack>
{
    readonly MembersClient _client = new(stack.Backend);

    [Fact]
    public async Task Registration_gives_a_vpn_token_that_works_through_freeradius_and_a_password_that_binds_in_ldap()
    {
        var member = await _client.RegisterAsync();

        var radius = await AuthAsync(stack.Radius, OpenVpnLogin(member.Email, member.VpnToken));
        // The way Nextcloud or a chat server checks it: find the DN by mail as a reader, then bind as that DN.
        var search = await stack.Ldap.SearchAsync(SlapdServer.ReaderDn, stack.Ldap.ReaderPassword, $"(mail={member.Email})", "1.1");
        var dn = search.Stdout.Split('\n').Single(l => l.StartsWith("dn: ", StringComparison.Ordinal))[4..].Trim();
        var bind = await stack.Ldap.WhoAmIAsync(dn, member.Password);
        var tokenIsNotThePassword = await stack.Ldap.WhoAmIAsync(dn, member.VpnToken);

        Assert.True(radius.IsAccept, radius.Raw);
        Assert.Equal($"uid={member.MemberId},ou=people,dc=neutrinet,dc=be", dn);
        Assert.True(bind.ExitCode == 0, bind.Output);
        Assert.NotEqual(0, tokenIsNotThePassword.ExitCode);
    }

    [Fact]
    public async Task Registration_refuses_weak_passwords_bad_emails_and_ignores_roles_in_the_body()
    {
        var email = Stack.NewEmail();
        using var weak = await stack.Backend.Http.PostAsJsonAsync(stack.Backend.BaseUrl + "/api/auth/simpleauth/register",
            new { email, password = "password123", displayName = "x" });
        using var same = await stack.Backend.Http.PostAsJsonAsync(stack.Backend.BaseUrl + "/api/auth/simpleauth/register",
            new { email, password = email, displayName = "x" });
        using var badEmail = await stack.Backend.Http.PostAsJsonAsync(stack.Backend.BaseUrl + "/api/auth/simpleauth/register",
            new { email = "not-an-email*)(", password = "a perfectly fine passphrase 7" });
        using var broken = await stack.Backend.Http.PostAsync(stack.Backend.BaseUrl + "/api/auth/simpleauth/register",
            new StringContent("{\"email\": ", System.Text.Encoding.UTF8, "application/json"));
        using var withRoles = await stack.Backend.Http.PostAsJsonAsync(stack.Backend.BaseUrl + "/api/auth/simpleauth/register",
            new { email, password = "a perfectly fine passphrase 7", displayName = "x", roles = new[] { "admin" }, role = "admin" });
        var tokens = await _client.LoginAsync(email, "a perfectly fine passphrase 7");
        var status = await _client.GetJsonAsync("/api/auth/status", tokens.AccessToken);

        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        Assert.Contains("too common", await weak.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, same.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badEmail.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal("application/problem+json", broken.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Created, withRoles.StatusCode);
        Assert.Equal(["member"], status.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task Unknown_email_and_wrong_password_get_identical_answers()
    {
        var member = await _client.RegisterAsync();
        using var wrong = await _client.LoginRawAsync(member.Email, "not the password at all");
        using var unknown = await _client.LoginRawAsync(Stack.NewEmail("nobody"), "not the password at all");

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(wrong.StatusCode, unknown.StatusCode);
        Assert.Equal(Strip(await wrong.Content.ReadAsStringAsync()), Strip(await unknown.Content.ReadAsStringAsync()));
        Assert.Equal(wrong.Headers.Select(h => h.Key).Order(), unknown.Headers.Select(h => h.Key).Order());
    }

    static string Strip(string problem)
    {
        var json = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(problem)!;
        json.Remove("traceId");
        return JsonSerializer.Serialize(json);
    }

    [Fact]
    public async Task The_eleventh_rapid_wrong_login_gets_429_with_retry_after()
    {
        var member = await _client.RegisterAsync();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 11; i++)
        {
            last?.Dispose();
            last = await _client.LoginRawAsync(member.Email, "wrong password number " + i);
            statuses.Add(last.StatusCode);
        }

        Assert.All(statuses.Take(10), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[10]);
        Assert.True(last!.Headers.RetryAfter is not null || last.Headers.Contains("Retry-After"));
        last.Dispose();
        using var rightPassword = await _client.LoginRawAsync(member.Email, member.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, rightPassword.StatusCode);
    }

    [Fact]
    public async Task Refresh_rotates_and_a_replayed_old_token_revokes_the_whole_family()
    {
        var member = await _client.RegisterAsync();
        var first = await _client.LoginAsync(member.Email, member.Password);

        using var r1 = await _client.RefreshRawAsync(first.RefreshToken);
        var second = JsonSerializer.Deserialize<Tokens>(await r1.Content.ReadAsStringAsync(), JsonSerializerOptions.Web)!;
        Assert.Equal(HttpStatusCode.OK, r1.StatusCode);
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        using (var me = await _client.SendAsync(HttpMethod.Get, "/api/members/me", second.AccessToken)) Assert.Equal(HttpStatusCode.OK, me.StatusCode);

        await Task.Delay(2500); // past the reuse grace
        using var replay = await _client.RefreshRawAsync(first.RefreshToken);
        using var descendant = await _client.RefreshRawAsync(second.RefreshToken);
        using var withAccess = await _client.SendAsync(HttpMethod.Get, "/api/members/me", second.AccessToken);

        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Contains("reused", await replay.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, descendant.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withAccess.StatusCode);
    }

    [Fact]
    public async Task Two_tabs_refreshing_at_once_both_stay_logged_in()
    {
        var member = await _client.RegisterAsync();
        var tokens = await _client.LoginAsync(member.Email, member.Password);

        var both = await Task.WhenAll(_client.RefreshRawAsync(tokens.RefreshToken), _client.RefreshRawAsync(tokens.RefreshToken));

        Assert.All(both, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var r in both)
        {
            var next = JsonSerializer.Deserialize<Tokens>(await r.Content.ReadAsStringAsync(), JsonSerializerOptions.Web)!;
            using var again = await _client.RefreshRawAsync(next.RefreshToken);
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            r.Dispose();
        }
    }

    [Fact]
    public async Task Logout_revokes_the_refresh_token_and_the_access_token()
    {
        var member = await _client.RegisterAsync();
        var tokens = await _client.LoginAsync(member.Email, member.Password);

        using var logout = await _client.SendAsync(HttpMethod.Post, "/api/auth/logout", null, new { refreshToken = tokens.RefreshToken });
        using var refresh = await _client.RefreshRawAsync(tokens.RefreshToken);
        using var me = await _client.SendAsync(HttpMethod.Get, "/api/members/me", tokens.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task A_member_cannot_reach_admin_endpoints_and_no_route_takes_another_members_id()
    {
        var member = await _client.RegisterAsync();
        var other = await _client.RegisterAsync();
        var tokens = await _client.LoginAsync(member.Email, member.Password);

        using var search = await _client.SendAsync(HttpMethod.Get, "/api/admin/members", tokens.AccessToken);
        using var suspendOther = await _client.SendAsync(HttpMethod.Post, $"/api/admin/members/{other.MemberId}/suspend", tokens.AccessToken);
        using var anonymous = await _client.SendAsync(HttpMethod.Get, "/api/members/me", null);
        using var othersToken = await _client.SendAsync(HttpMethod.Delete, $"/api/members/me/tokens/{other.VpnTokenId}", tokens.AccessToken);
        using var forged = await _client.SendAsync(HttpMethod.Get, "/api/members/me", tokens.AccessToken[..^4] + "AAAA");

        Assert.Equal(HttpStatusCode.Forbidden, search.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, suspendOther.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, othersToken.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.True((await AuthAsync(stack.Radius, OpenVpnLogin(other.Email, other.VpnToken))).IsAccept);
    }

    [Fact]
    public async Task Token_revocation_and_suspension_reject_the_next_access_request_and_sessions_show_accounting()
    {
        var member = await _client.RegisterAsync();
        var admin = await _client.RegisterAsync();
        await stack.Admin.Directory.SetGroupMembershipAsync(admin.MemberId, "admins", true);
        var memberTokens = await _client.LoginAsync(member.Email, member.Password);
        var adminTokens = await _client.LoginAsync(admin.Email, admin.Password);

        // A second device token, then accounting for a session with it.
        using var created = await _client.SendAsync(HttpMethod.Post, "/api/members/me/tokens", memberTokens.AccessToken, new { label = "laptop" });
        var laptop = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var laptopSecret = laptop.GetProperty("secret").GetString()!;
        Assert.True((await AuthAsync(stack.Radius, OpenVpnLogin(member.Email, laptopSecret, "SESSVIEW0001"))).IsAccept);
        await AcctAsync(stack.Radius, OpenVpnAccounting(member.Email, "Start", "SESSVIEW0001"));
        await AcctAsync(stack.Radius, OpenVpnAccounting(member.Email, "Stop", "SESSVIEW0001", 42, 1000, 2000));
        var sessions = await Eventually.ReadAsync(() => _client.GetJsonAsync("/api/members/me/sessions", memberTokens.AccessToken),
            s => s.GetArrayLength() == 1 && s[0].GetProperty("durationSeconds").GetInt64() == 42);
        var tokenList = await _client.GetJsonAsync("/api/members/me/tokens", memberTokens.AccessToken);

        using var revoke = await _client.SendAsync(HttpMethod.Delete, $"/api/members/me/tokens/{laptop.GetProperty("id").GetString()}", memberTokens.AccessToken);
        var afterRevoke = await AuthAsync(stack.Radius, OpenVpnLogin(member.Email, laptopSecret));
        var firstStillWorks = await AuthAsync(stack.Radius, OpenVpnLogin(member.Email, member.VpnToken));
        using var suspend = await _client.SendAsync(HttpMethod.Post, $"/api/admin/members/{member.MemberId}/suspend", adminTokens.AccessToken);
        var afterSuspend = await AuthAsync(stack.Radius, OpenVpnLogin(member.Email, member.VpnToken));

        var session = Assert.Single(sessions.EnumerateArray());
        Assert.Equal(42, session.GetProperty("durationSeconds").GetInt64());
        Assert.Equal(1000UL, session.GetProperty("inputOctets").GetUInt64());
        Assert.Equal(2000UL, session.GetProperty("outputOctets").GetUInt64());
        Assert.Equal(2, tokenList.GetArrayLength());
        Assert.Contains(tokenList.EnumerateArray(), t => t.GetProperty("label").GetString() == "laptop" && t.GetProperty("lastUsedAt").ValueKind != JsonValueKind.Null);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.True(afterRevoke.IsReject, afterRevoke.Raw);
        Assert.True(firstStillWorks.IsAccept, firstStillWorks.Raw);
        Assert.Equal(HttpStatusCode.NoContent, suspend.StatusCode);
        Assert.True(afterSuspend.IsReject, afterSuspend.Raw);
    }

    [Fact]
    public async Task Admin_sets_a_static_ip_and_finds_members_and_roles_come_from_ldap_groups()
    {
        var member = await _client.RegisterAsync();
        var admin = await _client.RegisterAsync();
        await stack.Admin.Directory.SetGroupMembershipAsync(admin.MemberId, "admins", true);
        var adminTokens = await _client.LoginAsync(admin.Email, admin.Password);

        using var set = await _client.SendAsync(HttpMethod.Put, $"/api/admin/members/{member.MemberId}/radius", adminTokens.AccessToken,
            new { framedIpAddress = "198.51.100.77", framedIpv6Prefix = "2001:db8:77::/56", simultaneousUse = 2 });
        using var bad = await _client.SendAsync(HttpMethod.Put, $"/api/admin/members/{member.MemberId}/radius", adminTokens.AccessToken,
            new { framedIpAddress = "not-an-ip" });
        var found = await _client.GetJsonAsync("/api/admin/members?query=" + Uri.EscapeDataString(member.Email), adminTokens.AccessToken);
        var injection = await _client.GetJsonAsync("/api/admin/members?query=" + Uri.EscapeDataString("*)(uid=*"), adminTokens.AccessToken);
        var status = await _client.GetJsonAsync("/api/auth/status", adminTokens.AccessToken);
        var reply = await AuthAsync(stack.Radius, OpenVpnLogin(member.Email, member.VpnToken));

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(member.MemberId, Assert.Single(found.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
        Assert.Empty(injection.GetProperty("items").EnumerateArray());
        Assert.Contains("admin", status.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("198.51.100.77", reply["Framed-IP-Address"]);
        Assert.Equal("2001:db8:77::/56", reply["Framed-IPv6-Prefix"]);
    }

    [Fact]
    public async Task Email_change_keeps_the_entry_and_moves_vpn_and_login_to_the_new_address()
    {
        var member = await _client.RegisterAsync();
        var tokens = await _client.LoginAsync(member.Email, member.Password);
        Assert.True((await AuthAsync(stack.Radius, OpenVpnLogin(member.Email, member.VpnToken))).IsAccept);
        var newEmail = Stack.NewEmail("moved");

        using var patch = await _client.SendAsync(HttpMethod.Patch, "/api/members/me", tokens.AccessToken, new { email = newEmail.ToUpperInvariant() });
        var me = JsonDocument.Parse(await patch.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.Equal(member.MemberId, me.GetProperty("id").GetString());
        Assert.Equal(newEmail, me.GetProperty("email").GetString());
        Assert.True((await AuthAsync(stack.Radius, OpenVpnLogin(newEmail, member.VpnToken))).IsAccept);
        Assert.True((await AuthAsync(stack.Radius, OpenVpnLogin(member.Email, member.VpnToken))).IsReject);
        await _client.LoginAsync(newEmail, member.Password);
    }

    [Fact]
    public async Task Password_change_needs_the_old_one_and_an_admin_reset_never_reveals_a_password()
    {
        var member = await _client.RegisterAsync();
        var admin = await _client.RegisterAsync();
        await stack.Admin.Directory.SetGroupMembershipAsync(admin.MemberId, "admins", true);
        var tokens = await _client.LoginAsync(member.Email, member.Password);

        using var wrongOld = await _client.SendAsync(HttpMethod.Post, "/api/members/me/password", tokens.AccessToken,
            new { currentPassword = "not it at all", newPassword = "another decent passphrase 8" });
        using var changed = await _client.SendAsync(HttpMethod.Post, "/api/members/me/password", tokens.AccessToken,
            new { currentPassword = member.Password, newPassword = "another decent passphrase 8" });
        await _client.LoginAsync(member.Email, "another decent passphrase 8");

        var adminTokens = await _client.LoginAsync(admin.Email, admin.Password);
        var reset = await _client.GetJsonAsync("/api/auth/status", adminTokens.AccessToken); // admin is logged in
        using var issued = await _client.SendAsync(HttpMethod.Post, $"/api/admin/members/{member.MemberId}/password-reset", adminTokens.AccessToken);
        var issuedBody = await issued.Content.ReadAsStringAsync();
        var resetToken = JsonDocument.Parse(issuedBody).RootElement.GetProperty("resetToken").GetString()!;
        using var used = await _client.SendAsync(HttpMethod.Post, "/api/auth/simpleauth/reset", null, new { token = resetToken, newPassword = "a third good passphrase 9" });
        using var usedTwice = await _client.SendAsync(HttpMethod.Post, "/api/auth/simpleauth/reset", null, new { token = resetToken, newPassword = "a fourth good passphrase 10" });

        Assert.Equal(HttpStatusCode.Forbidden, wrongOld.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
        Assert.True(reset.GetProperty("authenticated").GetBoolean());
        Assert.DoesNotContain("passphrase", issuedBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, used.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, usedTwice.StatusCode);
        await _client.LoginAsync(member.Email, "a third good passphrase 9");
        Assert.Equal(0, (await stack.Ldap.WhoAmIAsync($"uid={member.MemberId},ou=people,dc=neutrinet,dc=be", "a third good passphrase 9")).ExitCode);
    }

    [Fact]
    public async Task Deleting_the_account_removes_its_ldap_entries_and_vpn_access()
    {
        var member = await _client.RegisterAsync();
        var tokens = await _client.LoginAsync(member.Email, member.Password);

        using var delete = await _client.SendAsync(HttpMethod.Delete, "/api/members/me", tokens.AccessToken);
        var search = await stack.Ldap.SearchAsync(SlapdServer.ServiceDn, stack.Ldap.ServicePassword, $"(|(mail={member.Email})(uid={member.MemberId}))", "dn");
        var radius = await AuthAsync(stack.Radius, OpenVpnLogin(member.Email, member.VpnToken));
        using var login = await _client.LoginRawAsync(member.Email, member.Password);

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.DoesNotContain("dn:", search.Stdout, StringComparison.Ordinal);
        Assert.True(radius.IsReject, radius.Raw);
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
    }

    [Fact]
    public async Task Openapi_lists_every_endpoint_with_its_auth_requirement()
    {
        var document = await stack.Backend.Http.GetFromJsonAsync<JsonElement>(stack.Backend.BaseUrl + "/openapi/v1.json");
        var paths = document.GetProperty("paths");
        JsonElement Operation(string path, string method) => paths.GetProperty(path).GetProperty(method);
        static string[] Schemes(JsonElement op) => op.TryGetProperty("security", out var s)
            ? [.. s.EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name))] : [];

        foreach (var path in new[] { "/api/members/me", "/api/members/me/tokens", "/api/members/me/sessions", "/api/admin/members" })
            Assert.Equal(["Bearer"], Schemes(Operation(path, "get")));
        Assert.Equal(["FreeRadiusApiKey"], Schemes(Operation("/radius/authorize", "post")));
        Assert.Empty(Schemes(Operation("/api/auth/simpleauth/login", "post")));
        Assert.Empty(Schemes(Operation("/api/auth/providers", "get")));
        Assert.True(document.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("Bearer", out _));
    }

    [Fact]
    public async Task Providers_list_draws_the_form_module()
    {
        var providers = await stack.Backend.Http.GetFromJsonAsync<JsonElement>(stack.Backend.BaseUrl + "/api/auth/providers");
        var form = Assert.Single(providers.EnumerateArray());
        Assert.Equal("simpleauth", form.GetProperty("name").GetString());
        Assert.Equal("form", form.GetProperty("kind").GetString());
        Assert.Equal(["email", "password"], form.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        Assert.Equal("/api/auth/simpleauth/login", form.GetProperty("submitUrl").GetString());
    }
}

/// <summary>A user logged in stays logged in across a backend restart (keys and sessions live outside the process).</summary>
public sealed class SessionPersistenceTests(Stack stack) : IClassFixture<Stack>
{
    [Fact]
    public async Task Access_and_refresh_tokens_survive_a_backend_restart()
    {
        var client = new MembersClient(stack.Backend);
        var member = await client.RegisterAsync();
        var tokens = await client.LoginAsync(member.Email, member.Password);

        await stack.Backend.RestartAsync();

        using var me = await client.SendAsync(HttpMethod.Get, "/api/members/me", tokens.AccessToken);
        using var refresh = await client.RefreshRawAsync(tokens.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
    }
}

/// <summary>A broken auth_config.json stops the backend at start-up with a message naming the key.</summary>
public sealed class AuthConfigurationTests
{
    [Theory]
    [InlineData("""{"auth": {"simpleauht": {}}}""", "Auth:Modules:simpleauht")]
    [InlineData("""{"auth": {"passportjs": [{"etsmtl": {"type": "oidc", "OIDC_CONFIG_URL": "http://localhost/.well-known/openid-configuration", "OIDC_CLIENT_SECRET": "s"}}], "simpleauth": {}}}""", "Auth:Modules:etsmtl:OIDC_CLIENT_ID")]
    [InlineData("""{"auth": {"passportjs": [{"gmatte": {"OAUTH_CLIENT_ID": "x"}}]}}""", "Auth:Modules:gmatte: 'type' is missing")]
    [InlineData("""{"auth": {"simpleauth": {} """, "not valid JSON")]
    public async Task Broken_module_configuration_fails_start_up_naming_the_key(string config, string expected)
    {
        using var dir = new TempDir("authcfg");
        var file = dir.Sub("auth_config.json");
        await File.WriteAllTextAsync(file, "// comments are allowed\n" + config);
        await using var ldap = new SlapdServer(dir.Sub("ldap"));
        await using var redis = new RedisServer(dir.Sub("redis"));
        await using var backend = new BackendServer(ldap, redis, new Dictionary<string, string> { ["Auth__ConfigFile"] = file });

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(backend.StartAsync);

        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_seed_shaped_file_with_two_external_providers_loads_and_starts_or_refuses_each_flow_clearly()
    {
        using var dir = new TempDir("authcfg");
        using var provider = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        provider.Start();
        var providerPort = ((IPEndPoint)provider.LocalEndpoint).Port;
        _ = Task.Run(async () =>
        {
            // Any request (the module's reachability probe) gets an empty 200.
            while (true)
            {
                using var connection = await provider.AcceptTcpClientAsync();
                var stream = connection.GetStream();
                _ = await stream.ReadAsync(new byte[4096]); // the request itself does not matter
                await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
            }
        });
        var file = dir.Sub("auth_config.json");
        await File.WriteAllTextAsync(file, """
            {"auth": {"passportjs": [
               {"gmatte": {"type": "oauth", // a plain OAuth2 provider
                  "OAUTH_AUTHORIZATION_URL": "http://127.0.0.1:PROVIDER_PORT/auth", "OAUTH_TOKEN_URL": "http://127.0.0.1:PROVIDER_PORT/token",
                  "OAUTH_USERINFO_URL": "http://127.0.0.1:PROVIDER_PORT/me", "OAUTH_CLIENT_ID": "c", "OAUTH_CLIENT_SECRET": "s",
                  "OAUTH_ADD_SCOPE": "groups", "OAUTH_ROLE_TEACHER_VALUE": "groups_evaluetonsavoir-prof", "OAUTH_ROLE_STUDENT_VALUE": "groups_evaluetonsavoir"}},
               {"etsmtl": {"type": "oidc", "OIDC_CONFIG_URL": "http://localhost:9/.well-known/openid-configuration",
                  "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s", "OIDC_ADD_SCOPE": "",
                  "OIDC_ROLE_TEACHER_VALUE": "t", "OIDC_ROLE_STUDENT_VALUE": "s"}}],
             "simpleauth": {}}}
            """.Replace("PROVIDER_PORT", providerPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        await using var ldap = new SlapdServer(dir.Sub("ldap"));
        await using var redis = new RedisServer(dir.Sub("redis"));
        await ldap.StartAsync();
        await redis.StartAsync();
        await using var backend = new BackendServer(ldap, redis, new Dictionary<string, string> { ["Auth__ConfigFile"] = file });

        await backend.StartAsync();
        var providers = await backend.Http.GetStringAsync(backend.BaseUrl + "/api/auth/providers");
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var oauth = await noRedirects.GetAsync(backend.BaseUrl + "/api/auth/gmatte/login");
        using var oidcDown = await noRedirects.GetAsync(backend.BaseUrl + "/api/auth/etsmtl/login");
        var keyRing = await Shell.RunAsync("redis-cli", ["-p", redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "EXISTS", "nrb:dataprotection-keys"]);

        Assert.Contains("simpleauth", providers, StringComparison.Ordinal);
        Assert.Contains("/api/auth/gmatte/login", providers, StringComparison.Ordinal);
        Assert.Contains("/api/auth/etsmtl/login", providers, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, oauth.StatusCode);
        var location = oauth.Headers.Location!.ToString();
        Assert.StartsWith($"http://127.0.0.1:{providerPort}/auth?", location, StringComparison.Ordinal);
        Assert.Contains("code_challenge_method=S256", location, StringComparison.Ordinal);
        Assert.Contains("state=", location, StringComparison.Ordinal);
        Assert.Equal("1", keyRing.Stdout.Trim()); // the state is protected with keys shared through Redis
        Assert.Equal("/?error=provider_unavailable&provider=etsmtl", oidcDown.Headers.Location?.ToString());
    }
}
