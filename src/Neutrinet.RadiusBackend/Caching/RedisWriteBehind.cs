using System.Threading.Channels;
using Prometheus;
using StackExchange.Redis;

namespace Neutrinet.RadiusBackend.Caching;

/// <summary>
/// Redis writes that nothing waits for (cache fills, last-login records), sent together a few milliseconds after the
/// first one arrives. Redis runs with appendfsync always for accounting, so it fsyncs once per batch instead of once
/// per write: during a reconnect storm, one fsync per login was most of Redis' CPU and a wake-up of this process.
/// One batch per gathering period, even while writes keep arriving: sending the next batch as soon as the previous one
/// was answered made a batch (and an fsync) per Redis round trip: ~1,400 per 10,000 cold logins, now ~500.
/// Losing queued writes on a crash is acceptable: they are re-made by the next login. Accounting never goes here.
/// </summary>
public sealed class RedisWriteBehind(RedisConnection redis, ILogger<RedisWriteBehind> logger) : BackgroundService
{
    /// <summary>How long the first write of a batch waits for others (a login storm fills a batch in that time).</summary>
    public static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(5);
    const int MaxBatch = 1024;

    readonly Channel<(ICounter Failures, Func<IBatch, Task> Write)> _queue =
        Channel.CreateBounded<(ICounter, Func<IBatch, Task>)>(new BoundedChannelOptions(50_000)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });

    /// <summary>Queues a write; false when the queue is full (Redis far behind) and the write is dropped.</summary>
    /// <param name="failures">Counted when the write fails in Redis.</param>
    public bool TryEnqueue(ICounter failures, Func<IBatch, Task> write) => _queue.Writer.TryWrite((failures, write));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pending = new List<(ICounter Failures, Task Write)>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await Task.Delay(Gather, stoppingToken);
                await FlushAsync(pending, drain: false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync sends what is still queued.
        }
    }

    /// <summary>
    /// Sends everything still queued, without waiting long for a sick Redis; also when the writer was cancelled before
    /// it ever ran (a host stopped right after it started). Not while the writer is still flushing (the host's stop
    /// timeout ran out): the queue has a single reader.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (ExecuteTask is { IsCompleted: false }) return;
        try { await FlushAsync(new(MaxBatch), drain: true).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None); }
        catch (TimeoutException) { logger.LogDebug("Queued Redis writes dropped at shutdown"); }
    }

    /// <summary>Batches sent to Redis since start.</summary>
    public long BatchesSent => Interlocked.Read(ref _batchesSent);
    long _batchesSent;

    /// <summary>
    /// Sends one batch; more at once only while they fill up (a backlog larger than a batch), or everything when
    /// <paramref name="drain"/> (shutdown).
    /// </summary>
    async Task FlushAsync(List<(ICounter Failures, Task Write)> pending, bool drain)
    {
        var more = true;
        while (more && _queue.Reader.TryPeek(out _))
        {
            var batch = redis.Database.CreateBatch();
            while (pending.Count < MaxBatch && _queue.Reader.TryRead(out var item))
            {
                try { pending.Add((item.Failures, item.Write(batch))); }
                catch (Exception ex)
                {
                    // Whatever a queued write does wrong must not stop the writer (it would stop the host).
                    item.Failures.Inc();
                    logger.LogWarning(ex, "A queued Redis write could not be issued");
                }
            }
            more = drain || pending.Count == MaxBatch;
            Interlocked.Increment(ref _batchesSent);
            try { batch.Execute(); }
            catch (Exception ex)
            {
                // Nothing was sent (Redis unreachable): count the writes as failed, and leave their tasks alone.
                logger.LogDebug("Queued Redis writes not sent: {Error}", ex.Message);
                foreach (var (failures, write) in pending)
                {
                    failures.Inc();
                    _ = write.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                        TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
                pending.Clear();
                continue;
            }
            foreach (var (failures, write) in pending)
            {
                try { await write; }
                catch (Exception ex)
                {
                    failures.Inc();
                    logger.LogDebug("A queued Redis write failed: {Error}", ex.Message);
                }
            }
            pending.Clear();
        }
    }
}
