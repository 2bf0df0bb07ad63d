using System.Diagnostics;
using System.DirectoryServices.Protocols;
using System.Net;
using Microsoft.Extensions.Options;
using Neutrinet.RadiusBackend.Observability;

namespace Neutrinet.RadiusBackend.Directory;

/// <summary>LDAP cannot be reached (down, hung, or the circuit is open). Callers degrade; they never see a 500.</summary>
public sealed class DirectoryUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Thrown by an operation when the answer shows the session is no longer bound as the service account.</summary>
internal sealed class SuspectSessionException(string message) : Exception(message);

/// <summary>
/// A few LDAP connections, each owned by one dedicated thread that makes synchronous SDS.P calls
/// (SDS.P's async API polls with Task.Delay and takes ~8 ms per call; its timeouts are not honoured on Linux).
/// Callers await a task bounded by our own watchdog. Any transport error, or a sign that libldap reconnected without
/// binding, throws the connection away and binds a new one.
/// </summary>
public sealed class LdapConnectionPool : IDisposable
{
    readonly LdapOptions _options;
    readonly ILogger<LdapConnectionPool> _logger;
    readonly WorkQueue _queue;
    readonly Thread[] _workers;
    long _brokenUntilTicks;
    int _readAheadReported;

    public LdapConnectionPool(IOptions<LdapOptions> options, ILogger<LdapConnectionPool> logger)
    {
        _options = options.Value;
        _logger = logger;
        LdapNative.TrySetGlobalTimeouts(_options.OperationTimeout);
        _queue = new WorkQueue(_options.PoolSize * 256);
        _workers = new Thread[_options.PoolSize];
        for (var i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"ldap-{i}" };
            _workers[i].Start();
        }
    }

    public bool CircuitOpen => Stopwatch.GetTimestamp() < Interlocked.Read(ref _brokenUntilTicks);

    /// <summary>Runs a blocking LDAP operation on a pooled, bound connection.</summary>
    public Task<T> RunAsync<T>(string operation, Func<LdapConnection, T> action, CancellationToken ct = default) =>
        RunAsync(operation, _options.OperationTimeout, action, ct);

    /// <summary>The same with its own watchdog (writes may wait longer than the login path).</summary>
    public async Task<T> RunAsync<T>(string operation, TimeSpan watchdog, Func<LdapConnection, T> action, CancellationToken ct = default)
    {
        if (CircuitOpen)
        {
            BackendMetrics.LdapErrors.WithLabels("circuit_open").Inc();
            throw new DirectoryUnavailableException("LDAP circuit is open after recent failures");
        }
        var item = new WorkItem<T>(action);
        if (!_queue.TryAdd(item))
        {
            BackendMetrics.LdapErrors.WithLabels("queue_full").Inc();
            throw new DirectoryUnavailableException("LDAP queue is full");
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await item.Completion.Task.WaitAsync(watchdog, ct);
        }
        catch (TimeoutException)
        {
            item.Abandon();
            Break();
            BackendMetrics.LdapErrors.WithLabels("timeout").Inc();
            _logger.LogWarning("LDAP {Operation} exceeded {Timeout}", operation, watchdog);
            throw new DirectoryUnavailableException($"LDAP {operation} timed out");
        }
        catch (DirectoryUnavailableException)
        {
            Break();
            throw;
        }
        finally
        {
            BackendMetrics.LdapDuration.WithLabels(operation).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    void Break() =>
        Interlocked.Exchange(ref _brokenUntilTicks,
            Stopwatch.GetTimestamp() + (long)(_options.CircuitBreakDuration.TotalSeconds * Stopwatch.Frequency));

    void WorkerLoop()
    {
        LdapConnection? connection = null;
        var lastUsed = 0L;
        while (_queue.Take() is { } item)
        {
            if (item.IsAbandoned) continue;
            if (connection is not null && Stopwatch.GetElapsedTime(lastUsed) > _options.MaxIdle)
                Discard(ref connection);

            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    connection ??= Connect();
                    item.Execute(connection);
                    break;
                }
                catch (Exception ex) when (IsConnectionFault(ex))
                {
                    Discard(ref connection);
                    if (attempt < 2 && !item.IsAbandoned) continue;
                    BackendMetrics.LdapErrors.WithLabels("transport").Inc();
                    _logger.LogWarning("LDAP connection failed: {Error}", ex.Message);
                    item.Fail(new DirectoryUnavailableException("LDAP is unavailable", ex));
                    break;
                }
                catch (Exception ex)
                {
                    BackendMetrics.LdapErrors.WithLabels("result").Inc();
                    item.Fail(ex);
                    break;
                }
            }
            // A call the watchdog gave up on may have left the handle in an unknown state.
            if (item.IsAbandoned) Discard(ref connection);
            lastUsed = Stopwatch.GetTimestamp();
        }
        connection?.Dispose();
    }

    static bool IsConnectionFault(Exception ex) => ex switch
    {
        LdapException => true,
        SuspectSessionException => true,
        DirectoryOperationException { Response: null } => true,
        DirectoryOperationException d => d.Response.ResultCode is ResultCode.Success or ResultCode.OperationsError
            or ResultCode.ProtocolError or ResultCode.Busy or ResultCode.Unavailable or ResultCode.Other,
        _ => false,
    };

    LdapConnection Connect()
    {
        var identifier = new LdapDirectoryIdentifier(_options.Host, _options.Port, false, false);
        var connection = new LdapConnection(identifier, new NetworkCredential(_options.BindDn, _options.BindPassword), AuthType.Basic)
        {
            AutoBind = false,
            Timeout = _options.OperationTimeout,
        };
        connection.SessionOptions.ProtocolVersion = 3;
        connection.SessionOptions.ReferralChasing = ReferralChasingOptions.None;
        try
        {
            connection.Bind();
            if (_options.ReadAhead) EnableReadAhead(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    void EnableReadAhead(LdapConnection connection)
    {
        var enabled = LdapNative.TryEnableReadAhead(connection);
        // Said once per process: every connection gets the same answer from the same libraries.
        if (Interlocked.Exchange(ref _readAheadReported, 1) == 0)
        {
            if (enabled) _logger.LogInformation("LDAP connections read ahead (liblber read-ahead layer)");
            else _logger.LogWarning("LDAP read-ahead not available with this libldap/SDS.P; answers are read message by message");
        }
    }

    static void Discard(ref LdapConnection? connection)
    {
        try { connection?.Dispose(); } catch (Exception) { /* a broken handle may fail to unbind */ }
        connection = null;
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        foreach (var worker in _workers) worker.Join(TimeSpan.FromSeconds(2));
    }

    /// <summary>
    /// A bounded queue whose idle workers sleep on a monitor: BlockingCollection's SemaphoreSlim spins before it
    /// sleeps, which cost ~90 µs of CPU per cold login with a few idle workers (bench/README.md).
    /// </summary>
    sealed class WorkQueue(int capacity)
    {
        readonly Queue<WorkItem> _items = new();
        bool _completed;

        public bool TryAdd(WorkItem item)
        {
            lock (_items)
            {
                if (_completed || _items.Count >= capacity) return false;
                _items.Enqueue(item);
                Monitor.Pulse(_items);
                return true;
            }
        }

        /// <summary>Blocks until an item arrives; null once completed and drained.</summary>
        public WorkItem? Take()
        {
            lock (_items)
            {
                while (_items.Count == 0)
                {
                    if (_completed) return null;
                    Monitor.Wait(_items);
                }
                return _items.Dequeue();
            }
        }

        public void CompleteAdding()
        {
            lock (_items)
            {
                _completed = true;
                Monitor.PulseAll(_items);
            }
        }
    }

    abstract class WorkItem
    {
        int _abandoned;
        public bool IsAbandoned => Volatile.Read(ref _abandoned) == 1;
        public void Abandon() => Interlocked.Exchange(ref _abandoned, 1);
        public abstract void Execute(LdapConnection connection);
        public abstract void Fail(Exception ex);
    }

    sealed class WorkItem<T>(Func<LdapConnection, T> action) : WorkItem
    {
        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public override void Execute(LdapConnection connection) => Completion.TrySetResult(action(connection));
        public override void Fail(Exception ex) => Completion.TrySetException(ex);
    }
}
