using System.Diagnostics;
using System.Globalization;
using Neutrinet.RadiusBackend.Accounting;
using Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;
using static Neutrinet.RadiusBackend.IntegrationTests.Infrastructure.Radclient;

namespace Neutrinet.RadiusBackend.IntegrationTests;

/// <summary>The usual servers, with FreeRADIUS' run directory (and so its accounting spool) known to the tests.</summary>
public sealed class SpoolStack : Stack
{
    /// <summary>freeradius-start's default RADIUS_SPOOL_DIR is RUNDIR/spool.</summary>
    public string SpoolDir => Path.Combine(RadiusDir, "spool", "accounting");
    public string DeadLetterDir => Path.Combine(RadiusDir, "spool", "dead-letter");

    /// <summary>Records written by the NAS-facing server and not yet delivered (or still being delivered).</summary>
    public bool SpoolHasRecords => File.Exists(Path.Combine(SpoolDir, "detail")) || File.Exists(Path.Combine(SpoolDir, "detail.work"));
}

/// <summary>
/// FreeRADIUS answers accounting from its detail-file spool and a detail reader delivers the spool to the backend:
/// a backend outage or restart delays records, never loses them, and replays are absorbed by the backend.
/// </summary>
public sealed class BufferedAccountingTests(SpoolStack stack) : IClassFixture<SpoolStack>
{
    static readonly TimeSpan Delivery = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Records_sent_while_the_backend_is_stopped_all_arrive_once_after_it_is_restarted()
    {
        var email = Stack.NewEmail("buffered");
        var (memberId, _, _) = await stack.Backend.AddMemberAsync(email);
        Assert.Equal("Accounting-Response", (await AcctAsync(stack.Radius, OpenVpnAccounting(email, "Start", "BUFFER0001"))).Code);
        await Eventually.UntilAsync(async () => (await Sessions(memberId)).Count == 1, "the Start before the outage stored", Delivery);

        await stack.Backend.StopAsync();
        IDictionary<string, string>[] whileDown =
        [
            OpenVpnAccounting(email, "Interim-Update", "BUFFER0001", 60, 1000, 2000),
            OpenVpnAccounting(email, "Start", "BUFFER0002"),
            OpenVpnAccounting(email, "Interim-Update", "BUFFER0001", 120, 3000, 4000),
            OpenVpnAccounting(email, "Interim-Update", "BUFFER0002", 30, 10, 20),
            OpenVpnAccounting(email, "Stop", "BUFFER0001", 180, 5000, 6000),
            OpenVpnAccounting(email, "Stop", "BUFFER0002", 90, 30, 40),
        ];
        foreach (var record in whileDown)
        {
            var clock = Stopwatch.StartNew();
            var reply = await AcctAsync(stack.Radius, record);
            // The NAS is answered from the spool: it neither waits for nor depends on the backend.
            Assert.Equal("Accounting-Response", reply.Code);
            // (radclient itself is most of this; generous for a loaded CI machine. A NAS-facing rest call would get no answer at all.)
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"Accounting-Response took {clock.Elapsed}");
        }
        // Long enough for the reader to fail against the stopped backend and schedule retries (retry_interval = 4).
        await Task.Delay(TimeSpan.FromSeconds(5));
        var beforeRestart = Assert.Single(await Sessions(memberId));
        Assert.True(beforeRestart.Open);
        Assert.Equal(0, beforeRestart.SessionTimeSeconds);
        Assert.True(stack.SpoolHasRecords, "the records wait in the spool");

        await stack.Backend.StartAsync();

        var sessions = await Eventually.ReadAsync(() => Sessions(memberId), s => s.Count == 2 && s.All(x => !x.Open), Delivery);
        var first = Assert.Single(sessions, s => s.AcctSessionId == "BUFFER0001");
        var second = Assert.Single(sessions, s => s.AcctSessionId == "BUFFER0002");
        Assert.False(first.Open);
        Assert.Equal(180, first.SessionTimeSeconds);
        Assert.Equal(5000UL, first.InputOctets);
        Assert.Equal(6000UL, first.OutputOctets);
        Assert.False(second.Open);
        Assert.Equal(90, second.SessionTimeSeconds);
        Assert.Equal(40UL, second.OutputOctets);

        // Every record sent while the backend was down reached the restarted backend exactly once: as many stored
        // as sent, none replayed (a clean stop leaves nothing half-delivered).
        await Eventually.UntilAsync(async () => !stack.SpoolHasRecords, "spool drained", Delivery);
        var metrics = await stack.Backend.ScrapeMetricsAsync();
        Assert.Equal(whileDown.Length, Counter(metrics, "stored"));
        Assert.Equal(0, Counter(metrics, "duplicate"));
    }

    [Fact]
    public async Task A_backend_restart_in_the_middle_of_a_stream_of_records_loses_nothing()
    {
        var email = Stack.NewEmail("restart");
        var (memberId, _, _) = await stack.Backend.AddMemberAsync(email, "--limit", "0");
        const int sessions = 15;

        var restart = Task.Run(async () =>
        {
            await Task.Delay(300);
            await stack.Backend.RestartAsync();
        });
        for (var i = 0; i < sessions; i++)
        {
            var id = "STREAM" + i.ToString("D4", CultureInfo.InvariantCulture);
            Assert.Equal("Accounting-Response", (await AcctAsync(stack.Radius, OpenVpnAccounting(email, "Start", id))).Code);
            Assert.Equal("Accounting-Response", (await AcctAsync(stack.Radius, OpenVpnAccounting(email, "Stop", id, 10 + i, 100, 200))).Code);
        }
        await restart;

        var stored = await Eventually.ReadAsync(() => Sessions(memberId, 50), s => s.Count == sessions && s.All(x => !x.Open), Delivery);
        Assert.Equal(sessions, stored.Count);
        Assert.All(stored, s => Assert.False(s.Open));
        Assert.Equal(Enumerable.Range(0, sessions).Select(i => 10L + i), stored.Select(s => s.SessionTimeSeconds).Order());
        await Eventually.UntilAsync(async () => !stack.SpoolHasRecords, "spool drained", Delivery);
    }

    [Fact]
    public async Task A_record_the_backend_can_never_accept_goes_to_the_dead_letter_file_and_does_not_block_the_queue()
    {
        var email = Stack.NewEmail("deadletter");
        var (memberId, _, _) = await stack.Backend.AddMemberAsync(email);

        // A blank User-Name passes FreeRADIUS' accounting (which only spools) but the backend answers 400.
        var broken = OpenVpnAccounting(" ", "Start", "DEADLETTER01");
        Assert.Equal("Accounting-Response", (await AcctAsync(stack.Radius, broken)).Code);
        Assert.Equal("Accounting-Response", (await AcctAsync(stack.Radius, OpenVpnAccounting(email, "Start", "AFTERDEAD001"))).Code);

        var after = await Eventually.ReadAsync(() => Sessions(memberId), s => s.Count == 1, Delivery);
        Assert.Equal("AFTERDEAD001", Assert.Single(after).AcctSessionId);
        var deadLetters = System.IO.Directory.Exists(stack.DeadLetterDir)
            ? string.Concat(System.IO.Directory.GetFiles(stack.DeadLetterDir).Select(File.ReadAllText))
            : "";
        Assert.Contains("DEADLETTER01", deadLetters, StringComparison.Ordinal);
        Assert.DoesNotContain("AFTERDEAD001", deadLetters, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_spool_survives_a_freeradius_restart_while_the_backend_is_down()
    {
        var email = Stack.NewEmail("frrestart");
        var (memberId, _, _) = await stack.Backend.AddMemberAsync(email);

        await stack.Backend.StopAsync();
        try
        {
            foreach (var record in new[]
            {
                OpenVpnAccounting(email, "Start", "FRRESTART01"),
                OpenVpnAccounting(email, "Interim-Update", "FRRESTART01", 60, 100, 200),
                OpenVpnAccounting(email, "Stop", "FRRESTART01", 120, 300, 400),
            })
                Assert.Equal("Accounting-Response", (await AcctAsync(stack.Radius, record)).Code);
            await Task.Delay(TimeSpan.FromSeconds(1.5)); // the reader has taken the spool (detail.work) and failed once

            // freeradius-start replaces raddb/ but keeps RUNDIR/spool.
            await Shell.RunCheckedAsync(Repo.Script("freeradius-stop"), [stack.RadiusDir]);
            Assert.True(stack.SpoolHasRecords, "the records wait in the spool while FreeRADIUS is stopped");
            await stack.Radius.StartAsync();
        }
        finally
        {
            await stack.Backend.StartAsync();
        }

        var session = Assert.Single(await Eventually.ReadAsync(() => Sessions(memberId), s => s.Count == 1 && !s[0].Open, Delivery));
        Assert.False(session.Open);
        Assert.Equal(120, session.SessionTimeSeconds);
        Assert.Equal(400UL, session.OutputOctets);
        await Eventually.UntilAsync(async () => !stack.SpoolHasRecords, "spool drained", Delivery);
        var metrics = await stack.Backend.ScrapeMetricsAsync();
        Assert.Equal(3, Counter(metrics, "stored"));
        Assert.Equal(0, Counter(metrics, "duplicate"));
    }

    Task<IReadOnlyList<SessionView>> Sessions(string memberId, int max = 10) => stack.Admin.Sessions.GetRecentSessionsAsync(memberId, max);

    /// <summary>Sum of neutrinet_accounting_records_total over the status labels for one outcome.</summary>
    static long Counter(string metrics, string outcome) =>
        metrics.Split('\n')
            .Where(l => l.StartsWith("neutrinet_accounting_records_total{", StringComparison.Ordinal)
                && l.Contains($"outcome=\"{outcome}\"", StringComparison.Ordinal))
            .Sum(l => (long)double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
}

/// <summary>The compose deployment keeps FreeRADIUS' accounting spool on a named volume that freerad can write.</summary>
public sealed class ComposeSpoolTests
{
    [Fact]
    public async Task Freeradius_spool_is_a_named_volume_prepared_before_freeradius_starts()
    {
        var result = await Shell.RunAsync("docker-compose",
            ["--env-file", Path.Combine(Repo.Root, ".env.example"), "-f", Path.Combine(Repo.Root, "docker-compose.yml"), "config"]);
        Assert.True(result.ExitCode == 0, result.Output);
        var config = result.Stdout;

        Assert.Contains("RADIUS_SPOOL_DIR: /var/spool/neutrinet-radius", config, StringComparison.Ordinal);
        Assert.Contains("radius-spool:/var/spool/neutrinet-radius", config, StringComparison.Ordinal);
        Assert.Contains("freeradius-spool-init:", config, StringComparison.Ordinal);
        Assert.Contains("condition: service_completed_successfully", config, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^volumes:\n(?:  .*\n)*  radius-spool:", config);
    }
}
