namespace Neutrinet.RadiusBackend.Concurrency;

/// <summary>
/// Reads that arrive while earlier ones are in flight wait and then go out together, so a reconnect storm of
/// thousands of distinct members costs one round trip per batch instead of one per member. Nothing waits for a batch
/// to fill: a lone read goes out at once, and batches only form while <c>maxConcurrent</c> batches are already out.
/// </summary>
/// <remarks>
/// <paramref name="readBatch"/> answers a batch of keys in order. If it throws, every read of that batch fails with
/// that exception (the callers decide what a failure means; none is left waiting).
/// </remarks>
public sealed class BatchedReads<TKey, TResult>(
    Func<TKey[], Task<TResult[]>> readBatch,
    int maxBatch,
    int maxConcurrent,
    Action<int>? batchSent = null)
{
    readonly Queue<Pending> _queue = new();
    int _inFlight;

    public Task<TResult> ReadAsync(TKey key)
    {
        var pending = new Pending(key);
        bool startBatch;
        lock (_queue)
        {
            _queue.Enqueue(pending);
            startBatch = _inFlight < maxConcurrent;
            if (startBatch) _inFlight++;
        }
        if (startBatch) _ = SendBatchesAsync();
        return pending.Completion.Task;
    }

    async Task SendBatchesAsync()
    {
        while (TakeBatch() is { } batch)
        {
            try
            {
                var keys = new TKey[batch.Length];
                for (var i = 0; i < batch.Length; i++) keys[i] = batch[i].Key;
                batchSent?.Invoke(batch.Length);
                var results = await readBatch(keys);
                if (results.Length != batch.Length)
                    throw new InvalidOperationException($"A batch of {batch.Length} reads got {results.Length} answers");
                for (var i = 0; i < batch.Length; i++) batch[i].Completion.TrySetResult(results[i]);
            }
            catch (Exception ex)
            {
                foreach (var item in batch) item.Completion.TrySetException(ex);
            }
        }
    }

    /// <summary>Everything queued so far (up to the maximum); null, and one slot fewer in flight, when nothing is.</summary>
    Pending[]? TakeBatch()
    {
        lock (_queue)
        {
            if (_queue.Count == 0)
            {
                _inFlight--;
                return null;
            }
            var batch = new Pending[Math.Min(_queue.Count, maxBatch)];
            for (var i = 0; i < batch.Length; i++) batch[i] = _queue.Dequeue();
            return batch;
        }
    }

    sealed class Pending(TKey key)
    {
        public TKey Key { get; } = key;
        // Continuations run inline, one after another, on the thread that completes the batch: in a storm, handing
        // each to the thread pool cost more than the work itself. Callers resume with short, non-blocking work.
        public TaskCompletionSource<TResult> Completion { get; } = new();
    }
}
