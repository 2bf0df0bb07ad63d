using Microsoft.Extensions.Options;
using Neutrinet.RadiusBackend.Accounting;
using Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;

namespace Neutrinet.RadiusBackend.IntegrationTests;

/// <summary>
/// The simultaneous-use check's view of open sessions, between two instances sharing a real redis-server: an instance
/// knows which owners have open sessions (loaded at start, kept by broadcasts), and a snapshot it handed out is
/// replaced as soon as that owner's sessions change anywhere.
/// </summary>
public sealed class OpenSessionsTests
{
    [Fact]
    public async Task Sessions_opened_before_start_or_on_another_instance_are_seen_and_a_snapshot_ends_with_a_change()
    {
        using var dir = new TempDir("open-sessions");
        await using var redisServer = new RedisServer(dir.Sub("redis"));
        await redisServer.StartAsync();
        using var redisA = redisServer.Connect();
        using var redisB = redisServer.Connect();
        var instanceA = new SessionStore(redisA, Options.Create(new AccountingOptions()), TimeProvider.System);
        await instanceA.SubscribeAsync();

        // A session opened before instance B starts: B finds its owner when it loads the list.
        await instanceA.RecordAsync(Start("member-before", "s-before"));
        var instanceB = new SessionStore(redisB, Options.Create(new AccountingOptions()), TimeProvider.System);
        await instanceB.SubscribeAsync();
        Assert.False(instanceB.OwnersLoaded);
        await instanceB.LoadOwnersWithOpenSessionsAsync();
        Assert.True(instanceB.OwnersLoaded);

        var before = await instanceB.ReadOpenSessionsAsync("member-before");
        Assert.Equal("s-before", Assert.Single(before.Sessions).AcctSessionId);

        // An owner without sessions gets an empty snapshot, which stays current while nothing changes...
        var quiet = await instanceB.ReadOpenSessionsAsync("member-later");
        Assert.Empty(quiet.Sessions);
        await Task.Delay(20);
        Assert.True(instanceB.IsCurrent(quiet, "member-later", static o => o));

        // ...until that owner opens a session through the other instance.
        await instanceA.RecordAsync(Start("member-later", "s-later"));
        await Eventually.UntilAsync(() => Task.FromResult(!instanceB.IsCurrent(quiet, "member-later", static o => o)),
            "the other instance's Start ends the snapshot");
        var later = await instanceB.ReadOpenSessionsAsync("member-later");
        Assert.Equal("s-later", Assert.Single(later.Sessions).AcctSessionId);

        // A Stop on the other instance ends it again.
        await instanceA.RecordAsync(Start("member-later", "s-later") with { Status = AccountingStatus.Stop, SessionTimeSeconds = 60 });
        await Eventually.UntilAsync(() => Task.FromResult(!instanceB.IsCurrent(later, "member-later", static o => o)),
            "the other instance's Stop ends the snapshot");
        Assert.Empty((await instanceB.ReadOpenSessionsAsync("member-later")).Sessions);
    }

    [Fact]
    public async Task An_owner_whose_sessions_closed_is_unlisted_once_its_mark_is_old_and_an_owner_with_one_stays()
    {
        using var dir = new TempDir("open-sessions-prune");
        await using var redisServer = new RedisServer(dir.Sub("redis"));
        await redisServer.StartAsync();
        using var redis = redisServer.Connect();
        // Marks count as old at once: nothing is fresh for longer than 0 s.
        var store = new SessionStore(redis, Options.Create(new AccountingOptions { OpenSessionsFreshFor = TimeSpan.Zero }), TimeProvider.System);
        await store.SubscribeAsync();
        await store.LoadOwnersWithOpenSessionsAsync();

        await store.RecordAsync(Start("member-gone", "s-gone"));
        await store.RecordAsync(Start("member-gone", "s-gone") with { Status = AccountingStatus.Stop, SessionTimeSeconds = 60 });
        await store.RecordAsync(Start("member-online", "s-online"));
        Assert.Equal(2, store.OwnersListed);

        await Task.Delay(5);
        await store.ForgetOwnersWithoutSessionsAsync();

        Assert.Equal(1, store.OwnersListed);
        Assert.Single((await store.ReadOpenSessionsAsync("member-online")).Sessions);
        Assert.Empty((await store.ReadOpenSessionsAsync("member-gone")).Sessions);
    }

    static AccountingRecord Start(string memberId, string acctSessionId) => new(
        AccountingStatus.Start, "u-" + acctSessionId, acctSessionId, memberId + "@example.org", memberId, "192.0.2.1", "192.0.2.1",
        "vpn1", "203.0.113.5", "10.8.0.9", 0, 0, 0, null, DateTimeOffset.UtcNow);
}
