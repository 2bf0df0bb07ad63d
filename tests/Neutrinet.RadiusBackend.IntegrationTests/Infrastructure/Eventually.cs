using System.Diagnostics;

namespace Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;

/// <summary>
/// Accounting is buffered (FreeRADIUS answers the NAS once the record is in its spool, and a detail reader
/// delivers it to the backend within about a second): what the backend stores is checked by polling.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Reads <paramref name="read"/> until <paramref name="done"/> holds, then returns that value;
    /// after the timeout returns the last value read (the caller's assertions then say what is wrong).
    /// A read that throws (e.g. a Redis timeout on a loaded machine) is retried; after the timeout it is thrown.</summary>
    public static async Task<T> ReadAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var expired = clock.Elapsed > (timeout ?? DefaultTimeout);
            T value;
            try { value = await read(); }
            catch (Exception) when (!expired)
            {
                await Task.Delay(100);
                continue;
            }
            if (done(value) || expired) return value;
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test after the timeout.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        if (!await ReadAsync(condition, ok => ok, timeout))
            Assert.Fail($"{what}: not within {(timeout ?? DefaultTimeout).TotalSeconds} s");
    }

    /// <summary>Accounting records the backend has handled (stored, duplicate or ignored; not failed ones), from
    /// <c>neutrinet_accounting_records_total</c>.</summary>
    public static async Task<long> AccountingRecordsHandledAsync(BackendServer backend) =>
        SumSeries(await backend.ScrapeMetricsAsync(), "neutrinet_accounting_records_total{", excluding: "outcome=\"failed\"");

    /// <summary>Waits until the backend has handled at least <paramref name="count"/> accounting records in all
    /// (the detail reader delivers in order, so everything sent before the last of them has arrived too).</summary>
    public static Task AccountingHandledAsync(BackendServer backend, long count, TimeSpan? timeout = null) =>
        UntilAsync(async () => await AccountingRecordsHandledAsync(backend) >= count, $"{count} accounting records handled by the backend", timeout);

    /// <summary>Cache invalidations the backend process has received on its Redis channel so far.</summary>
    public static async Task<long> InvalidationsReceivedAsync(BackendServer backend) =>
        SumSeries(await backend.ScrapeMetricsAsync(), "neutrinet_member_cache_invalidations_received_total ");

    /// <summary>The sum of the scraped series whose lines start with <paramref name="prefix"/>.</summary>
    static long SumSeries(string scrape, string prefix, string? excluding = null)
    {
        long total = 0;
        foreach (var line in scrape.Split('\n'))
        {
            if (!line.StartsWith(prefix, StringComparison.Ordinal)) continue;
            if (excluding is not null && line.Contains(excluding, StringComparison.Ordinal)) continue;
            total += (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }
        return total;
    }
}
