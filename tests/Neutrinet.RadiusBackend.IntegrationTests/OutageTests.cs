using System.Diagnostics;
using Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;
using static Neutrinet.RadiusBackend.IntegrationTests.Infrastructure.Radclient;

namespace Neutrinet.RadiusBackend.IntegrationTests;

/// <summary>A stack whose cached members go stale after a second, so every later login needs LDAP (or the grace).</summary>
public sealed class ShortCacheStack() : Stack(new Dictionary<string, string>
{
    ["Cache__FreshFor"] = "00:00:01",
    ["Cache__LdapOutageGrace"] = "00:15:00",
    // The default 1 s watchdog: a known member is answered from the grace after Cache:StaleAnswerAfter anyway.
    ["Ldap__CircuitBreakDuration"] = "00:00:01",
});

/// <summary>Redis and slapd stopped, hung and restarted under a running backend. Tests in this class run in order.</summary>
public sealed class OutageTests(ShortCacheStack stack) : IClassFixture<ShortCacheStack>
{
    [Fact]
    public async Task Logins_keep_working_while_redis_is_down_and_accounting_is_refused_for_retry()
    {
        var seen = Stack.NewEmail("seen");
        var (_, _, seenToken) = await stack.Backend.AddMemberAsync(seen);
        var fresh = Stack.NewEmail("fresh");
        var (freshId, _, freshToken) = await stack.Backend.AddMemberAsync(fresh);
        Assert.True((await AuthAsync(stack.Radius, OpenVpnLogin(seen, seenToken))).IsAccept);

        await stack.Redis.StopAsync();
        try
        {
            await Task.Delay(1200); // past FreshFor: the lookups below go to LDAP, not memory
            var seenReply = await AuthAsync(stack.Radius, OpenVpnLogin(seen, seenToken));
            var freshReply = await AuthAsync(stack.Radius, OpenVpnLogin(fresh, freshToken));
            var wrongReply = await AuthAsync(stack.Radius, OpenVpnLogin(fresh, "nvt_wrong"));
            var accounting = await AcctAsync(stack.Radius, OpenVpnAccounting(fresh, "Start", "REDISDOWN0001"));

            Assert.True(seenReply.IsAccept, seenReply.Raw);
            Assert.True(freshReply.IsAccept, freshReply.Raw);
            Assert.True(wrongReply.IsReject, wrongReply.Raw);
            // Answered from FreeRADIUS' spool at once; the detail reader retries until Redis has the record.
            Assert.Equal("Accounting-Response", accounting.Code);
        }
        finally
        {
            await stack.Redis.StartAsync();
        }
        // The record sent while Redis was down is delivered from the spool once Redis is back.
        await WaitUntilAsync(async () =>
        {
            try { return (await stack.Admin.Sessions.GetRecentSessionsAsync(freshId, 10)).Any(s => s.AcctSessionId == "REDISDOWN0001"); }
            catch (Neutrinet.RadiusBackend.Accounting.AccountingUnavailableException) { return false; } // this client reconnecting too
        });
    }

    [Fact]
    public async Task While_slapd_is_down_a_recently_seen_member_gets_in_for_the_grace_and_an_unseen_one_does_not()
    {
        var seen = Stack.NewEmail("seen");
        var (_, _, seenToken) = await stack.Backend.AddMemberAsync(seen);
        var unseen = Stack.NewEmail("unseen");
        var (_, _, unseenToken) = await stack.Backend.AddMemberAsync(unseen);
        Assert.True((await AuthAsync(stack.Radius, OpenVpnLogin(seen, seenToken))).IsAccept);

        await stack.Ldap.StopAsync();
        try
        {
            await Task.Delay(1200);
            var seenReply = await AuthAsync(stack.Radius, OpenVpnLogin(seen, seenToken));
            var seenWrong = await AuthAsync(stack.Radius, OpenVpnLogin(seen, "nvt_wrong"));
            var unseenReply = await AuthAsync(stack.Radius, OpenVpnLogin(unseen, unseenToken));

            Assert.True(seenReply.IsAccept, seenReply.Raw);
            Assert.True(seenWrong.IsReject, seenWrong.Raw);
            Assert.True(unseenReply.IsReject, unseenReply.Raw);
            var metrics = await stack.Backend.ScrapeMetricsAsync();
            Assert.Matches(@"neutrinet_member_cache_stale_served_total [1-9]", metrics);
            Assert.Contains("neutrinet_radius_rejects_total{reason=\"backend_error\"}", metrics, StringComparison.Ordinal);
            using var ready = await stack.Backend.Http.GetAsync(stack.Backend.BaseUrl + "/readyz");
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }
        finally
        {
            await stack.Ldap.StartAsync();
        }

        // The backend recovers by itself: no restart, and a member it never saw before logs in.
        var afterRestart = Stack.NewEmail("after");
        var (_, _, afterToken) = await stack.Backend.AddMemberAsync(afterRestart);
        await WaitUntilAsync(async () => (await AuthAsync(stack.Radius, OpenVpnLogin(unseen, unseenToken))).IsAccept);
        Assert.True((await AuthAsync(stack.Radius, OpenVpnLogin(afterRestart, afterToken))).IsAccept);
        Assert.DoesNotContain("\"StatusCode\":500", stack.Backend.Logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hung_slapd_never_hangs_a_login()
    {
        var seen = Stack.NewEmail("seen");
        var (_, _, seenToken) = await stack.Backend.AddMemberAsync(seen);
        var unseen = Stack.NewEmail("unseen");
        var (_, _, unseenToken) = await stack.Backend.AddMemberAsync(unseen);
        Assert.True((await AuthAsync(stack.Radius, OpenVpnLogin(seen, seenToken))).IsAccept);

        await stack.Ldap.FreezeAsync();
        try
        {
            await Task.Delay(1200);
            var clock = Stopwatch.StartNew();
            var seenReply = await AuthAsync(stack.Radius, OpenVpnLogin(seen, seenToken));
            var seenElapsed = clock.Elapsed;
            var unseenReply = await AuthAsync(stack.Radius, OpenVpnLogin(unseen, unseenToken));

            Assert.True(seenReply.IsAccept, seenReply.Raw);
            Assert.True(seenElapsed < TimeSpan.FromSeconds(1.5), $"accept took {seenElapsed}");
            Assert.True(unseenReply.IsReject, unseenReply.Raw);
        }
        finally
        {
            await stack.Ldap.ThawAsync();
        }
        await WaitUntilAsync(async () => (await AuthAsync(stack.Radius, OpenVpnLogin(unseen, unseenToken))).IsAccept);
    }

    async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (await condition()) return;
            await Task.Delay(250);
        }
        var logs = stack.Backend.Logs;
        Assert.Fail("condition not met within 20 s; the backend's last output:\n" + logs[Math.Max(0, logs.Length - 4000)..]);
    }
}
