using System.Globalization;
using Neutrinet.RadiusBackend.Directory;
using Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;
using static Neutrinet.RadiusBackend.IntegrationTests.Infrastructure.Radclient;

namespace Neutrinet.RadiusBackend.IntegrationTests;

/// <summary>radclient -> FreeRADIUS (the project's freeradius/ config) -> backend (single-call) -> slapd + redis.</summary>
public sealed class RadiusThroughFreeRadiusTests(Stack stack) : IClassFixture<Stack>
{
    [Fact]
    public async Task Right_token_is_accepted_with_the_members_static_ipv4_and_ipv6_prefix()
    {
        var email = Stack.NewEmail();
        var (_, _, token) = await stack.Backend.AddMemberAsync(email, "--ipv4", "198.51.100.23", "--ipv6-prefix", "2001:db8:42::/56");

        var reply = await AuthAsync(stack.Radius, OpenVpnLogin(email, token));

        Assert.True(reply.IsAccept, reply.Raw);
        Assert.Equal("198.51.100.23", reply["Framed-IP-Address"]);
        Assert.Equal("2001:db8:42::/56", reply["Framed-IPv6-Prefix"]);
        Assert.Equal("300", reply["Acct-Interim-Interval"]);
    }

    [Fact]
    public async Task User_name_case_is_folded()
    {
        var email = Stack.NewEmail();
        var (_, _, token) = await stack.Backend.AddMemberAsync(email);

        var reply = await AuthAsync(stack.Radius, OpenVpnLogin(email.ToUpperInvariant(), token));

        Assert.True(reply.IsAccept, reply.Raw);
    }

    [Fact]
    public async Task Wrong_token_is_rejected_with_a_generic_message()
    {
        var email = Stack.NewEmail();
        var (_, _, token) = await stack.Backend.AddMemberAsync(email);

        var reply = await AuthAsync(stack.Radius, OpenVpnLogin(email, token[..^1] + (token[^1] == 'a' ? 'b' : 'a')));

        Assert.True(reply.IsReject, reply.Raw);
        Assert.Equal("Authentication failed", reply["Reply-Message"]);
        Assert.Null(reply["Framed-IP-Address"]);
    }

    [Fact]
    public async Task Unknown_member_is_rejected()
    {
        var reply = await AuthAsync(stack.Radius, OpenVpnLogin(Stack.NewEmail("nobody"), "nvt_whatever"));
        Assert.True(reply.IsReject, reply.Raw);
    }

    [Fact]
    public async Task The_account_password_is_not_a_vpn_token()
    {
        var email = Stack.NewEmail();
        await stack.Backend.AddMemberAsync(email, "--password", "correct horse battery staple");

        var reply = await AuthAsync(stack.Radius, OpenVpnLogin(email, "correct horse battery staple"));

        Assert.True(reply.IsReject, reply.Raw);
    }

    [Fact]
    public async Task Suspension_rejects_the_next_request_and_reactivation_restores_access()
    {
        var email = Stack.NewEmail();
        var (_, _, token) = await stack.Backend.AddMemberAsync(email);
        Assert.True((await AuthAsync(stack.Radius, OpenVpnLogin(email, token))).IsAccept);

        var member = await stack.Admin.GetAsync(email);
        await stack.AdminChangeAsync(m => m.SetSuspendedAsync(member, true));
        var whileSuspended = await AuthAsync(stack.Radius, OpenVpnLogin(email, token));

        await stack.AdminChangeAsync(m => m.SetSuspendedAsync(member, false));
        var afterReactivation = await AuthAsync(stack.Radius, OpenVpnLogin(email, token));

        Assert.True(whileSuspended.IsReject, whileSuspended.Raw);
        Assert.True(afterReactivation.IsAccept, afterReactivation.Raw);
    }

    [Fact]
    public async Task Revoked_token_is_rejected_on_the_next_request_while_another_device_token_works()
    {
        var email = Stack.NewEmail();
        var (_, _, first) = await stack.Backend.AddMemberAsync(email, "--limit", "0");
        var member = await stack.Admin.GetAsync(email);
        var second = await stack.Admin.Members.IssueTokenAsync(member, "laptop");
        Assert.True((await AuthAsync(stack.Radius, OpenVpnLogin(email, first))).IsAccept);
        Assert.True((await AuthAsync(stack.Radius, OpenVpnLogin(email, second.Secret))).IsAccept);

        var firstId = member.Tokens.Single().Id;
        Assert.True(await stack.AdminChangeAsync(m => m.RevokeTokenAsync(member, firstId)));

        Assert.True((await AuthAsync(stack.Radius, OpenVpnLogin(email, first))).IsReject);
        Assert.True((await AuthAsync(stack.Radius, OpenVpnLogin(email, second.Secret))).IsAccept);
    }

    [Fact]
    public async Task Simultaneous_use_limit_is_enforced_and_a_reauth_of_the_same_session_is_allowed()
    {
        var email = Stack.NewEmail();
        var (memberId, _, token) = await stack.Backend.AddMemberAsync(email, "--limit", "1");
        var session = Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();

        Assert.True((await AuthAsync(stack.Radius, OpenVpnLogin(email, token, session, "203.0.113.10"))).IsAccept);
        Assert.Equal("Accounting-Response", (await AcctAsync(stack.Radius, OpenVpnAccounting(email, "Start", session, callingStation: "203.0.113.10"))).Code);
        await Eventually.UntilAsync(async () => (await stack.Admin.Sessions.GetRecentSessionsAsync(memberId, 10)).Any(s => s.Open), "Start stored");

        var secondDevice = await AuthAsync(stack.Radius, OpenVpnLogin(email, token, "OTHERSESSION0001", "198.51.100.77"));
        var reauthSameSession = await AuthAsync(stack.Radius, OpenVpnLogin(email, token, session, "203.0.113.10"));
        var reauthSameNasAndClient = await AuthAsync(stack.Radius, OpenVpnLogin(email, token, "RENEGOTIATED0001", "203.0.113.10"));

        await AcctAsync(stack.Radius, OpenVpnAccounting(email, "Stop", session, 60, 1000, 2000, callingStation: "203.0.113.10"));
        await Eventually.UntilAsync(async () => (await stack.Admin.Sessions.GetRecentSessionsAsync(memberId, 10)).All(s => !s.Open), "Stop stored");
        var afterStop = await AuthAsync(stack.Radius, OpenVpnLogin(email, token, "OTHERSESSION0002", "198.51.100.77"));

        Assert.True(secondDevice.IsReject, secondDevice.Raw);
        Assert.Equal("Too many simultaneous sessions", secondDevice["Reply-Message"]);
        Assert.True(reauthSameSession.IsAccept, reauthSameSession.Raw);
        Assert.True(reauthSameNasAndClient.IsAccept, reauthSameNasAndClient.Raw);
        Assert.True(afterStop.IsAccept, afterStop.Raw);
    }

    [Fact]
    public async Task Accounting_sent_twice_is_stored_once_with_gigawords_counted()
    {
        var email = Stack.NewEmail();
        var (memberId, _, _) = await stack.Backend.AddMemberAsync(email);
        var session = Guid.NewGuid().ToString("N")[..16];
        var handledBefore = await Eventually.AccountingRecordsHandledAsync(stack.Backend);

        foreach (var record in new[]
        {
            OpenVpnAccounting(email, "Start", session),
            OpenVpnAccounting(email, "Interim-Update", session, 300, 1_048_576, 5_242_880),
            OpenVpnAccounting(email, "Stop", session, 3600, 4_294_967_295, 123_456_789, inGigawords: 2),
        })
        {
            for (var copy = 0; copy < 2; copy++)
                Assert.Equal("Accounting-Response", (await AcctAsync(stack.Radius, record)).Code);
        }
        // A late replay of the Start must not reopen the stopped session.
        Assert.Equal("Accounting-Response", (await AcctAsync(stack.Radius, OpenVpnAccounting(email, "Start", session))).Code);
        await Eventually.AccountingHandledAsync(stack.Backend, handledBefore + 7);

        var sessions = await stack.Admin.Sessions.GetRecentSessionsAsync(memberId, 10);
        var stored = Assert.Single(sessions);
        Assert.False(stored.Open);
        Assert.Equal(session, stored.AcctSessionId);
        Assert.Equal(3600, stored.SessionTimeSeconds);
        Assert.Equal(2UL * 4_294_967_296 + 4_294_967_295, stored.InputOctets);
        Assert.Equal(123_456_789UL, stored.OutputOctets);
        Assert.Equal("10.8.0.6", stored.FramedIpAddress);
        Assert.Empty((await stack.Admin.Sessions.ReadOpenSessionsAsync(memberId)).Sessions);
    }

    [Fact]
    public async Task Interim_and_stop_without_a_start_are_accepted_and_stored()
    {
        var email = Stack.NewEmail();
        var (memberId, _, _) = await stack.Backend.AddMemberAsync(email);
        var session = Guid.NewGuid().ToString("N")[..16];

        Assert.Equal("Accounting-Response", (await AcctAsync(stack.Radius, OpenVpnAccounting(email, "Interim-Update", session, 120, 10, 20))).Code);
        var open = Assert.Single(await Eventually.ReadAsync(() => stack.Admin.Sessions.GetRecentSessionsAsync(memberId, 10), s => s.Count > 0));
        Assert.True(open.Open);
        Assert.Equal(10UL, open.InputOctets);

        Assert.Equal("Accounting-Response", (await AcctAsync(stack.Radius, OpenVpnAccounting(email, "Stop", session, 180, 30, 40))).Code);
        var closed = Assert.Single(await Eventually.ReadAsync(() => stack.Admin.Sessions.GetRecentSessionsAsync(memberId, 10), s => s.Count == 1 && !s[0].Open));
        Assert.False(closed.Open);
        Assert.Equal(40UL, closed.OutputOctets);
    }

    [Fact]
    public async Task Accounting_on_closes_the_open_sessions_of_that_nas()
    {
        var email = Stack.NewEmail();
        var (memberId, _, _) = await stack.Backend.AddMemberAsync(email);
        await AcctAsync(stack.Radius, OpenVpnAccounting(email, "Start", Guid.NewGuid().ToString("N")[..16]));
        Assert.Single(await Eventually.ReadAsync(() => stack.Admin.Sessions.GetRecentSessionsAsync(memberId, 10), s => s.Any(x => x.Open)), x => x.Open);

        var on = await AcctAsync(stack.Radius, new Dictionary<string, string>
        {
            ["Acct-Status-Type"] = "Accounting-On", ["NAS-IP-Address"] = "10.0.0.1", ["NAS-Identifier"] = Quote("OpenVpn"),
            ["Acct-Session-Id"] = Quote("0"),
        });

        Assert.Equal("Accounting-Response", on.Code);
        var session = Assert.Single(await Eventually.ReadAsync(() => stack.Admin.Sessions.GetRecentSessionsAsync(memberId, 10), s => s.Count == 1 && !s[0].Open));
        Assert.False(session.Open);
        Assert.Equal("NAS-Reboot", session.TerminateCause);
    }

    [Theory]
    [InlineData("*)(uid=*")]
    [InlineData("*")]
    [InlineData("admin)(|(mail=*")]
    [InlineData("a\\2a@example.org")]
    public async Task Hostile_user_names_are_rejected_cleanly(string userName)
    {
        var reply = await AuthAsync(stack.Radius, OpenVpnLogin(userName, "nvt_x"));
        Assert.True(reply.IsReject, reply.Raw);
        Assert.DoesNotContain("\"status\":500", stack.Backend.Logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_login_body_over_8_KiB_is_rejected_before_the_backend_and_still_reported_to_post_auth()
    {
        // Logins go without chunked encoding (freeradius/mods-available/rest): rlm_rest then refuses a body over
        // 8 KiB. radiusplugin's bodies are about 1 KiB; this one is crafted: 8 attributes of 250 control bytes,
        // each escaped to six characters in the JSON body. The token is right, so only the size rejects it.
        var email = Stack.NewEmail();
        var (memberId, _, token) = await stack.Backend.AddMemberAsync(email);
        var login = OpenVpnLogin(email, token);
        var padding = "\"" + string.Concat(Enumerable.Repeat("\\001", 250)) + "\"";
        foreach (var attribute in new[] { "Filter-Id", "Reply-Message", "Callback-Number", "Callback-Id", "Connect-Info",
                     "Login-LAT-Service", "Login-LAT-Node", "Framed-AppleTalk-Zone" })
            login[attribute] = padding;

        var reply = await AuthAsync(stack.Radius, login);
        var normal = await AuthAsync(stack.Radius, OpenVpnLogin(email, token));

        Assert.True(reply.IsReject, reply.Raw);
        Assert.True(normal.IsAccept, normal.Raw);
        var reason = await Eventually.ReadAsync(
            async () => (await Shell.RunAsync("redis-cli", ["-p", stack.Redis.Port.ToString(CultureInfo.InvariantCulture),
                "HGET", "nrb:login:" + memberId, "lastFailureReason"])).Stdout.Trim(),
            r => r.Length > 0);
        Assert.Equal("rejected_by_freeradius", reason);
    }

    [Fact]
    public async Task A_registered_password_verifies_with_ldapwhoami_and_a_suspended_one_does_not()
    {
        var email = Stack.NewEmail();
        const string password = "S3cret pässword! for chat";
        var (memberId, _, token) = await stack.Backend.AddMemberAsync(email, "--password", password);
        var search = await stack.Ldap.SearchAsync(SlapdServer.ServiceDn, stack.Ldap.ServicePassword, $"(mail={email})", "dn");
        var dn = search.Stdout.Split('\n').Single(l => l.StartsWith("dn: ", StringComparison.Ordinal))[4..].Trim();
        Assert.Equal($"uid={memberId},ou=people,{SlapdServer.BaseDn}", dn);
        var member = await stack.Admin.GetAsync(email);
        var tokenDn = $"cn={member.Tokens.Single().Id},{dn}";

        var bound = await stack.Ldap.WhoAmIAsync(dn, password);
        var wrong = await stack.Ldap.WhoAmIAsync(dn, password + "x");
        var tokenAsPassword = await stack.Ldap.WhoAmIAsync(dn, token);
        var tokenBind = await stack.Ldap.WhoAmIAsync(tokenDn, token);
        await stack.Admin.Members.SetSuspendedAsync(member, true);
        var suspended = await stack.Ldap.WhoAmIAsync(dn, password);
        var suspendedToken = await stack.Ldap.WhoAmIAsync(tokenDn, token);

        Assert.True(bound.ExitCode == 0, bound.Output);
        Assert.Contains(dn, bound.Stdout, StringComparison.Ordinal);
        Assert.Contains("Invalid credentials (49)", wrong.Output, StringComparison.Ordinal);
        Assert.Contains("Invalid credentials (49)", tokenAsPassword.Output, StringComparison.Ordinal);
        Assert.True(tokenBind.ExitCode == 0, tokenBind.Output);
        Assert.Contains("Invalid credentials (49)", suspended.Output, StringComparison.Ordinal);
        Assert.Contains("Invalid credentials (49)", suspendedToken.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secrets_never_reach_the_logs()
    {
        var email = Stack.NewEmail();
        var (_, _, token) = await stack.Backend.AddMemberAsync(email, "--password", "log-canary-password-1");
        await AuthAsync(stack.Radius, OpenVpnLogin(email, token));
        await AuthAsync(stack.Radius, OpenVpnLogin(email, "nvt_wrong-canary-token"));
        using var request = new HttpRequestMessage(HttpMethod.Post, stack.Backend.BaseUrl + "/radius/authorize")
        {
            Content = new StringContent("{\"User-Name\":{\"type\":\"string\",\"value\":[\"" + email + "\"]},\"User-Password\":{\"type\":\"string\",\"value\":[\"broken-canary-",
                System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Api-Key", stack.Backend.ApiKey);
        await stack.Backend.Http.SendAsync(request);

        var logs = stack.Backend.Logs;
        Assert.Contains("Rejected member", logs, StringComparison.Ordinal); // the logs are being captured at all
        Assert.DoesNotContain(token, logs, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-canary", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("broken-canary", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("log-canary-password-1", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(stack.Backend.ApiKey, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(stack.Ldap.ServicePassword, logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_scrape_after_traffic_passes_promtool()
    {
        var email = Stack.NewEmail();
        var (_, _, token) = await stack.Backend.AddMemberAsync(email);
        await AuthAsync(stack.Radius, OpenVpnLogin(email, token));
        await AuthAsync(stack.Radius, OpenVpnLogin(email, "nvt_bad"));
        await AcctAsync(stack.Radius, OpenVpnAccounting(email, "Start", "PROM0001"));

        var scrape = await stack.Backend.ScrapeMetricsAsync();
        var check = await Shell.RunAsync("promtool", ["check", "metrics"], stdin: scrape);

        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains("neutrinet_radius_requests_total{section=\"authorize\",result=\"accept\"}", scrape, StringComparison.Ordinal);
        Assert.Contains("neutrinet_radius_rejects_total{reason=\"bad_token\"}", scrape, StringComparison.Ordinal);
        Assert.Contains("neutrinet_radius_request_duration_seconds_bucket{section=\"authorize\"", scrape, StringComparison.Ordinal);
        Assert.Contains("neutrinet_member_cache_lookups_total{layer=\"memory\",outcome=\"hit\"}", scrape, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Member_entry_is_keyed_by_an_opaque_id_and_its_token_is_a_child_entry()
    {
        var email = Stack.NewEmail();
        var (memberId, _, token) = await stack.Backend.AddMemberAsync(email);

        var member = await stack.Admin.GetAsync(email);

        Assert.True(MemberDirectory.IsValidMemberId(memberId));
        Assert.DoesNotContain(email.Split('@')[0], memberId, StringComparison.Ordinal);
        Assert.StartsWith("nvt_", token, StringComparison.Ordinal);
        Assert.True(token.Length >= 4 + 26, "at least 128 bits of base32");
        var stored = Assert.Single(member.Tokens);
        Assert.StartsWith("{SSHA512}", stored.PasswordHash, StringComparison.Ordinal);
        Assert.DoesNotContain(token, stored.PasswordHash, StringComparison.Ordinal);
    }
}

/// <summary>The same checks with authorize answering Auth-Type rest and authenticate checking the token.</summary>
public sealed class TwoCallFlowTests(TwoCallStack stack) : IClassFixture<TwoCallStack>
{
    [Fact]
    public async Task Two_call_flow_accepts_the_right_token_with_reply_attributes()
    {
        var email = Stack.NewEmail();
        var (_, _, token) = await stack.Backend.AddMemberAsync(email, "--ipv4", "198.51.100.99");

        var reply = await AuthAsync(stack.Radius, OpenVpnLogin(email, token));

        Assert.True(reply.IsAccept, reply.Raw);
        Assert.Equal("198.51.100.99", reply["Framed-IP-Address"]);
        var metrics = await stack.Backend.ScrapeMetricsAsync();
        Assert.Contains("neutrinet_radius_requests_total{section=\"authenticate\",result=\"accept\"}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_call_flow_rejects_wrong_token_unknown_and_suspended_members()
    {
        var email = Stack.NewEmail();
        var (_, _, token) = await stack.Backend.AddMemberAsync(email);
        var wrong = await AuthAsync(stack.Radius, OpenVpnLogin(email, "nvt_nope"));
        var unknown = await AuthAsync(stack.Radius, OpenVpnLogin(Stack.NewEmail("ghost"), token));
        await stack.AdminChangeAsync(async m => await m.SetSuspendedAsync(await stack.Admin.GetAsync(email), true));
        var suspended = await AuthAsync(stack.Radius, OpenVpnLogin(email, token));

        Assert.True(wrong.IsReject, wrong.Raw);
        Assert.True(unknown.IsReject, unknown.Raw);
        Assert.True(suspended.IsReject, suspended.Raw);
    }
}
