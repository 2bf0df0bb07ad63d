using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Neutrinet.RadiusBackend.Accounting;
using Neutrinet.RadiusBackend.Caching;
using Neutrinet.RadiusBackend.Directory;
using Neutrinet.RadiusBackend.Members;
using Neutrinet.RadiusBackend.Security;

namespace Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;

/// <summary>
/// slapd + redis-server + the backend process + FreeRADIUS, all real, on free loopback ports in one temp dir.
/// <see cref="Admin"/> is a second instance of the backend's service layer (as an admin tool or another backend
/// replica would be): its changes reach the backend process only through LDAP and Redis invalidation.
/// </summary>
public class Stack : IAsyncLifetime
{
    readonly TempDir _dir = new("stack");

    public Stack() : this(new Dictionary<string, string>()) { }

    protected Stack(IDictionary<string, string> backendSettings)
    {
        Ldap = new SlapdServer(_dir.Sub("slapd"));
        Redis = new RedisServer(_dir.Sub("redis"));
        Backend = new BackendServer(Ldap, Redis, backendSettings);
        Radius = new FreeRadiusServer(RadiusDir, Backend);
    }

    public SlapdServer Ldap { get; }
    public RedisServer Redis { get; }
    public BackendServer Backend { get; }
    public FreeRadiusServer Radius { get; }
    public AdminTools Admin { get; private set; } = null!;

    /// <summary>FreeRADIUS' run directory (its configuration copy, logs and accounting spool).</summary>
    public string RadiusDir => _dir.Sub("radius");

    public async Task InitializeAsync()
    {
        await Task.WhenAll(Ldap.StartAsync(), Redis.StartAsync());
        await BeforeBackendStartsAsync();
        await Backend.StartAsync();
        await Radius.StartAsync();
        Admin = new AdminTools(Ldap, Redis);
    }

    /// <summary>Where a variant starts what the backend needs beyond slapd and redis-server.</summary>
    protected virtual Task BeforeBackendStartsAsync() => Task.CompletedTask;

    protected string TempPath(string name) => _dir.Sub(name);

    public virtual async Task DisposeAsync()
    {
        Admin?.Dispose();
        await Radius.DisposeAsync();
        await Backend.DisposeAsync();
        await Redis.DisposeAsync();
        await Ldap.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>
    /// Makes a change with <see cref="Admin"/> and waits until the backend process has received the cache invalidation
    /// it publishes: Redis pub/sub reaches another instance asynchronously (within milliseconds), so "the next login"
    /// after a change made elsewhere means the next one after that.
    /// </summary>
    public async Task<T> AdminChangeAsync<T>(Func<MemberService, Task<T>> change)
    {
        var before = await Eventually.InvalidationsReceivedAsync(Backend);
        var result = await change(Admin.Members);
        await Eventually.UntilAsync(async () => await Eventually.InvalidationsReceivedAsync(Backend) > before,
            "the backend received the cache invalidation");
        return result;
    }

    public Task AdminChangeAsync(Func<MemberService, Task> change) =>
        AdminChangeAsync(async members => { await change(members); return true; });

    public static string NewEmail(string hint = "member") => $"{hint}-{Guid.NewGuid().ToString("N")[..10]}@example.org";
}

public sealed class TwoCallStack() : Stack(new Dictionary<string, string> { ["Radius__Flow"] = "TwoCall" });

/// <summary>The backend's own service classes wired by hand against the test servers.</summary>
public sealed class AdminTools : IDisposable
{
    readonly LdapConnectionPool _pool;
    readonly RedisConnection _redis;

    public AdminTools(SlapdServer ldap, RedisServer redis)
    {
        var ldapOptions = Options.Create(new LdapOptions
        {
            Host = "127.0.0.1", Port = ldap.Port, BindPassword = ldap.ServicePassword, PoolSize = 1,
            OperationTimeout = TimeSpan.FromSeconds(3),
        });
        LdapOptions = ldapOptions;
        _pool = new LdapConnectionPool(ldapOptions, NullLogger<LdapConnectionPool>.Instance);
        Directory = new MemberDirectory(_pool, ldapOptions);
        _redis = redis.Connect();
        // Admin tools only invalidate: nothing is queued for writing.
        var cache = new MemberCache(Directory, _redis, new RedisWriteBehind(_redis, NullLogger<RedisWriteBehind>.Instance),
            Options.Create(new CacheOptions()), NullLogger<MemberCache>.Instance, TimeProvider.System);
        Sessions = new SessionStore(_redis, Options.Create(new AccountingOptions()), TimeProvider.System);
        Members = new MemberService(Directory, cache,
            new PasswordHasher(Options.Create(new PasswordHashingOptions())), Sessions);
    }

    public IOptions<LdapOptions> LdapOptions { get; }
    /// <summary>For tests that write what the backend would never write (entries in an older layout).</summary>
    public LdapConnectionPool Pool => _pool;
    public MemberDirectory Directory { get; }
    public MemberService Members { get; }
    public SessionStore Sessions { get; }

    public async Task<MemberEntry> GetAsync(string email) =>
        await Directory.FindByEmailAsync(email) ?? throw new InvalidOperationException("member not found: " + email);

    public void Dispose()
    {
        _redis.Dispose();
        _pool.Dispose();
    }
}
