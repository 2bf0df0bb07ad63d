using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Neutrinet.RadiusBackend.Caching;

public sealed class RedisOptions
{
    /// <summary>
    /// A StackExchange.Redis configuration string. Sentinel works as
    /// <c>sentinel1:26379,sentinel2:26379,serviceName=mymaster,user=radius,password=...</c>.
    /// </summary>
    [Required] public string Configuration { get; set; } = "127.0.0.1:6379";

    /// <summary>Every key this service writes starts with this, so it can share a Valkey with ACL key patterns.</summary>
    [Required, RegularExpression("^[a-z0-9:_-]{1,32}$")] public string KeyPrefix { get; set; } = "nrb:";

    [Range(50, 30000)] public int OperationTimeoutMs { get; set; } = 500;
}

/// <summary>One multiplexer per process. Commands fail fast while disconnected so logins fall back to LDAP at once.</summary>
public sealed class RedisConnection : IDisposable
{
    readonly ConnectionMultiplexer _multiplexer;

    public RedisConnection(IOptions<RedisOptions> options, ILogger<RedisConnection> logger)
    {
        var o = options.Value;
        Prefix = o.KeyPrefix;
        var config = ConfigurationOptions.Parse(o.Configuration);
        config.AbortOnConnectFail = false;
        config.ConnectTimeout = Math.Max(o.OperationTimeoutMs * 2, 1000);
        config.SyncTimeout = o.OperationTimeoutMs;
        config.AsyncTimeout = o.OperationTimeoutMs;
        config.BacklogPolicy = BacklogPolicy.FailFast;
        config.ReconnectRetryPolicy = new LinearRetry(500);
        config.ClientName ??= "neutrinet-radius-backend";
        _multiplexer = ConnectionMultiplexer.Connect(config);
        if (!_multiplexer.IsConnected)
            logger.LogWarning("Redis is not reachable yet; logins use LDAP until it is");
        _multiplexer.ConnectionFailed += (_, e) => logger.LogWarning("Redis connection lost: {FailureType}", e.FailureType);
        _multiplexer.ConnectionRestored += (_, e) =>
        {
            logger.LogInformation("Redis connection restored");
            if (e.ConnectionType == ConnectionType.Subscription) ConnectionRestored?.Invoke(this, EventArgs.Empty);
        };
    }

    public string Prefix { get; }

    /// <summary>Raised when a lost connection comes back: pub/sub messages sent meanwhile were missed.</summary>
    public event EventHandler? ConnectionRestored;
    public IDatabase Database => _multiplexer.GetDatabase();
    public ISubscriber Subscriber => _multiplexer.GetSubscriber();
    public bool IsConnected => _multiplexer.IsConnected;

    /// <summary>The keys matching a pattern (SCAN, pages of 1,000) on every connected primary.</summary>
    public async IAsyncEnumerable<RedisKey> ScanPrimariesAsync(string pattern)
    {
        var db = Database;
        foreach (var endpoint in _multiplexer.GetEndPoints())
        {
            var server = _multiplexer.GetServer(endpoint);
            if (server.IsReplica || !server.IsConnected) continue;
            await foreach (var key in server.KeysAsync(db.Database, pattern, pageSize: 1000))
                yield return key;
        }
    }

    public void Dispose() => _multiplexer.Dispose();
}
