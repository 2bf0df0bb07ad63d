using System.Text.Json;
using Microsoft.Extensions.Options;
using Neutrinet.RadiusBackend.Caching;
using StackExchange.Redis;

namespace Neutrinet.RadiusBackend.Auth;

/// <summary>
/// Roles granted for one session family by the module that logged the member in (an external provider's role
/// mapping). Stored beside the family in Redis with the refresh tokens' lifetime; never written to LDAP, so a role
/// the provider withdraws disappears at the next external log-in (or when the session ends).
/// </summary>
public sealed class SessionRoles(RedisConnection redis, IOptions<AuthOptions> options)
{
    TimeSpan Ttl => options.Value.RefreshTokenLifetime;
    RedisKey Key(string family) => $"{redis.Prefix}rtr:{family}";

    public Task SetAsync(string family, IReadOnlyCollection<string> roles) =>
        redis.Database.StringSetAsync(Key(family), JsonSerializer.Serialize(roles), Ttl);

    /// <summary>The family's roles (empty when none), extending their lifetime as a refresh extends the family's.</summary>
    public async Task<IReadOnlyList<string>> GetAsync(string family)
    {
        var stored = await redis.Database.StringGetSetExpiryAsync(Key(family), Ttl);
        if (stored.IsNullOrEmpty) return [];
        try { return JsonSerializer.Deserialize<string[]>((string)stored!) ?? []; }
        catch (JsonException) { return []; }
    }
}
