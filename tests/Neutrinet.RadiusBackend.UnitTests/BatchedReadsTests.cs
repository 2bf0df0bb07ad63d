using Neutrinet.RadiusBackend.Concurrency;
using Neutrinet.RadiusBackend.Directory;

namespace Neutrinet.RadiusBackend.UnitTests;

/// <summary>
/// The batching in front of LDAP and Redis, driven by an in-memory backend that can be held busy. The real pool, slapd
/// and Redis are exercised by the integration tests (logins through FreeRADIUS, the outage tests).
/// </summary>
public class BatchedReadsTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>Each batch waits for the gate to open once, then answers every key with "key!".</summary>
    sealed class HeldBackend : IDisposable
    {
        public readonly SemaphoreSlim Gate = new(0);
        public readonly List<string[]> Batches = [];

        public async Task<string[]> Read(string[] keys)
        {
            lock (Batches) Batches.Add(keys);
            await Gate.WaitAsync(Patience);
            return [.. keys.Select(k => k + "!")];
        }

        public void Dispose() => Gate.Dispose();
    }

    [Fact]
    public async Task A_lone_read_goes_out_at_once_as_a_batch_of_one()
    {
        using var backend = new HeldBackend();
        var reads = new BatchedReads<string, string>(backend.Read, maxBatch: 32, maxConcurrent: 1);

        var read = reads.ReadAsync("a");

        Assert.Equal(["a"], Assert.Single(backend.Batches)); // sent before anything released it
        backend.Gate.Release();
        Assert.Equal("a!", await read.WaitAsync(Patience));
    }

    [Fact]
    public async Task Reads_arriving_while_a_batch_is_out_share_the_next_one_and_each_gets_its_own_answer()
    {
        using var backend = new HeldBackend();
        var reads = new BatchedReads<string, string>(backend.Read, maxBatch: 32, maxConcurrent: 1);

        var first = reads.ReadAsync("first");
        var waiting = Enumerable.Range(0, 10).Select(i => reads.ReadAsync($"k{i}")).ToList();
        backend.Gate.Release(2);

        Assert.Equal("first!", await first.WaitAsync(Patience));
        for (var i = 0; i < waiting.Count; i++) Assert.Equal($"k{i}!", await waiting[i].WaitAsync(Patience));
        Assert.Equal([1, 10], backend.Batches.Select(b => b.Length));
    }

    [Fact]
    public async Task Batches_stay_within_the_maximum_size_and_concurrency()
    {
        using var backend = new HeldBackend();
        var reads = new BatchedReads<string, string>(backend.Read, maxBatch: 4, maxConcurrent: 2);

        var all = Enumerable.Range(0, 12).Select(i => reads.ReadAsync($"k{i}")).ToList();
        Assert.Equal(2, backend.Batches.Count); // two out, the rest waits
        backend.Gate.Release(100);
        await Task.WhenAll(all).WaitAsync(Patience);

        Assert.All(backend.Batches, b => Assert.InRange(b.Length, 1, 4));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"k{i}").Order(),
            backend.Batches.SelectMany(b => b).Order());
    }

    [Fact]
    public async Task A_failing_batch_fails_each_of_its_reads_with_that_exception_and_the_next_batch_is_served()
    {
        var reads = new BatchedReads<string, string>(
            keys => keys.Contains("bad")
                ? Task.FromException<string[]>(new DirectoryUnavailableException("LDAP find_login timed out"))
                : Task.FromResult(keys),
            maxBatch: 32, maxConcurrent: 1);

        await Assert.ThrowsAsync<DirectoryUnavailableException>(() => reads.ReadAsync("bad").WaitAsync(Patience));
        Assert.Equal("good", await reads.ReadAsync("good").WaitAsync(Patience));
    }

    [Fact]
    public async Task A_read_that_throws_synchronously_strands_no_one()
    {
        var reads = new BatchedReads<string, string>(_ => throw new InvalidOperationException("broken"), maxBatch: 32, maxConcurrent: 1);

        var all = Enumerable.Range(0, 5).Select(i => reads.ReadAsync($"k{i}")).ToList();
        foreach (var read in all) await Assert.ThrowsAsync<InvalidOperationException>(() => read.WaitAsync(Patience));
    }

    [Fact]
    public async Task An_answer_of_the_wrong_length_is_a_failure_not_a_mismatch()
    {
        using var backend = new HeldBackend();
        var reads = new BatchedReads<string, string>(async keys => (await backend.Read(keys))[..^1], maxBatch: 32, maxConcurrent: 1);

        var first = reads.ReadAsync("a");
        var second = reads.ReadAsync("b");
        var third = reads.ReadAsync("c");
        backend.Gate.Release(2);

        await Assert.ThrowsAsync<InvalidOperationException>(() => first.WaitAsync(Patience));
        await Assert.ThrowsAsync<InvalidOperationException>(() => second.WaitAsync(Patience));
        await Assert.ThrowsAsync<InvalidOperationException>(() => third.WaitAsync(Patience));
    }
}
