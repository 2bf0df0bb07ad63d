using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Neutrinet.RadiusBackend.Caching;
using Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;
using Prometheus;
using StackExchange.Redis;

namespace Neutrinet.RadiusBackend.IntegrationTests;

/// <summary>
/// The writes nothing waits for (cache fills, last-login records) against a real redis-server: Redis fsyncs once per
/// batch (appendfsync always), so a stream of writes must make one batch per gathering period, not one per round trip,
/// and nothing queued may be lost to batching or to a shutdown.
/// </summary>
public sealed class RedisWriteBehindTests
{
    static readonly Counter Failures = Metrics.WithCustomRegistry(Metrics.NewCustomRegistry())
        .CreateCounter("write_behind_test_failures_total", "Queued writes that failed in these tests.");

    [Fact]
    public async Task A_steady_stream_of_writes_goes_out_once_per_gathering_period_and_all_of_it_arrives()
    {
        using var dir = new TempDir("write-behind-stream");
        await using var server = new RedisServer(dir.Sub("redis"));
        await server.StartAsync();
        using var redis = server.Connect();
        using var writeBehind = new RedisWriteBehind(redis, NullLogger<RedisWriteBehind>.Instance);
        await writeBehind.StartAsync(CancellationToken.None);

        // A reconnect storm's pace: a write every 0.1 ms for 200 ms, without pauses. Sending the next batch as soon as
        // the previous one was answered would make a batch per loopback round trip, several times the bound below.
        var writes = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMilliseconds(200))
        {
            RedisKey key = $"wb:stream:{writes}";
            var value = writes++;
            Assert.True(writeBehind.TryEnqueue(Failures, batch => batch.StringSetAsync(key, value)));
            var next = TimeSpan.FromMilliseconds(0.1 * writes);
            while (clock.Elapsed < next) Thread.SpinWait(20);
        }
        var producing = clock.Elapsed;

        await Eventually.UntilAsync(async () => await CountAsync(redis, "wb:stream", writes) == writes, "every queued write is in Redis");
        await writeBehind.StopAsync(CancellationToken.None);

        var periods = producing / RedisWriteBehind.Gather;
        Assert.InRange(writeBehind.BatchesSent, 1, (long)periods + 2);
        Assert.Equal(writes - 1, (int)await redis.Database.StringGetAsync($"wb:stream:{writes - 1}"));
    }

    [Fact]
    public async Task A_backlog_larger_than_a_batch_is_sent_at_once_and_a_shutdown_sends_what_is_queued()
    {
        using var dir = new TempDir("write-behind-backlog");
        await using var server = new RedisServer(dir.Sub("redis"));
        await server.StartAsync();
        using var redis = server.Connect();

        // Queued before the writer starts: its first gathering period finds 2,500 writes, more than a batch holds.
        using (var backlog = new RedisWriteBehind(redis, NullLogger<RedisWriteBehind>.Instance))
        {
            for (var i = 0; i < 2_500; i++)
            {
                RedisKey key = $"wb:backlog:{i}";
                Assert.True(backlog.TryEnqueue(Failures, batch => batch.StringSetAsync(key, i)));
            }
            await backlog.StartAsync(CancellationToken.None);
            await Eventually.UntilAsync(async () => await CountAsync(redis, "wb:backlog", 2_500) == 2_500, "the whole backlog is in Redis");
            await backlog.StopAsync(CancellationToken.None);
            // 1,024 + 1,024 + 452, one after the other in the same period.
            Assert.Equal(3, backlog.BatchesSent);
        }

        // Stopped right after queueing, before the gathering period ends: everything queued is still sent.
        using var stopping = new RedisWriteBehind(redis, NullLogger<RedisWriteBehind>.Instance);
        await stopping.StartAsync(CancellationToken.None);
        for (var i = 0; i < 1_500; i++)
        {
            RedisKey key = $"wb:shutdown:{i}";
            Assert.True(stopping.TryEnqueue(Failures, batch => batch.StringSetAsync(key, i)));
        }
        await stopping.StopAsync(CancellationToken.None);
        Assert.Equal(1_500, await CountAsync(redis, "wb:shutdown", 1_500));
    }

    /// <summary>How many of <c>prefix:0</c> .. <c>prefix:(count - 1)</c> Redis holds.</summary>
    static async Task<long> CountAsync(RedisConnection redis, string prefix, int count) =>
        await redis.Database.KeyExistsAsync([.. Enumerable.Range(0, count).Select(i => (RedisKey)$"{prefix}:{i}")]);
}
