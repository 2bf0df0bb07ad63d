using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Neutrinet.RadiusBackend.Caching;
using StackExchange.Redis;

namespace Neutrinet.RadiusBackend.Auth;

/// <summary>
/// The HMAC key access tokens are signed with. It must survive restarts and be shared by every instance, so it comes
/// from configuration or, failing that, is generated once and kept in Redis.
/// </summary>
public sealed class SigningKeyProvider(IOptions<AuthOptions> options, RedisConnection redis, ILogger<SigningKeyProvider> logger)
{
    readonly Lazy<SymmetricSecurityKey> _key = new(() => Load(options.Value, redis, logger));

    public SymmetricSecurityKey Key => _key.Value;

    static SymmetricSecurityKey Load(AuthOptions options, RedisConnection redis, ILogger logger)
    {
        if (!string.IsNullOrEmpty(options.SigningKey))
            return new SymmetricSecurityKey(Convert.FromBase64String(options.SigningKey)) { KeyId = "configured" };
        var key = (RedisKey)(redis.Prefix + "auth:signing-key");
        for (var attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                redis.Database.StringSet(key, RandomNumberGenerator.GetBytes(64), when: When.NotExists);
                var stored = (byte[]?)redis.Database.StringGet(key);
                if (stored is { Length: >= 32 }) return new SymmetricSecurityKey(stored) { KeyId = "shared" };
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Thread.Sleep(250);
            }
        }
        logger.LogError("No Auth:SigningKey configured and Redis unreachable: using a temporary key; sessions end at restart");
        return new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(64)) { KeyId = "ephemeral" };
    }
}

public sealed record IssuedTokens(string AccessToken, string RefreshToken, int ExpiresIn);

/// <summary>Short-lived JWT access tokens carrying the member id, the session family and the roles.</summary>
public sealed class AccessTokens(IOptions<AuthOptions> options, SigningKeyProvider keys, TimeProvider time)
{
    readonly JsonWebTokenHandler _handler = new();

    public string Issue(string memberId, string email, string family, IEnumerable<string> roles)
    {
        var o = options.Value;
        var now = time.GetUtcNow().UtcDateTime;
        var claims = new List<Claim> { new("sub", memberId), new("email", email), new("sid", family) };
        claims.AddRange(roles.Select(r => new Claim("role", r)));
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims),
            Issuer = o.Issuer,
            Audience = o.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + o.AccessTokenLifetime,
            SigningCredentials = new SigningCredentials(keys.Key, SecurityAlgorithms.HmacSha256),
        });
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = options.Value.Issuer,
        ValidAudience = options.Value.Audience,
        IssuerSigningKey = keys.Key,
        NameClaimType = "sub",
        RoleClaimType = "role",
        ClockSkew = TimeSpan.FromSeconds(30),
    };
}

public enum RefreshStatus { Ok, Invalid, Revoked, Reused, Unavailable }

public readonly record struct RefreshOutcome(RefreshStatus Status, string? MemberId = null, string? Family = null, string? NewToken = null);

/// <summary>
/// Opaque refresh tokens, stored only as SHA-256 in Redis and rotated on every use. A token used a second time after
/// the grace window means it was stolen or replayed: the whole family (every token descended from that log-in) is
/// revoked. Within the grace window a second use gets a sibling token, so two tabs refreshing at once both stay in.
/// </summary>
public sealed class RefreshTokens(RedisConnection redis, IOptions<AuthOptions> options, TimeProvider time)
{
    // KEYS: 1 presented token, 2 new token. ARGV: 1 now ms, 2 grace ms, 3 ttl s, 4 key prefix
    const string RotateScript = """
        local t = redis.call('HMGET', KEYS[1], 'fam', 'mid', 'used')
        if not t[1] then return {'invalid'} end
        local famKey = ARGV[4] .. 'rtf:' .. t[1]
        if redis.call('EXISTS', famKey) == 0 then return {'revoked'} end
        local now = tonumber(ARGV[1])
        if t[3] then
          if now - tonumber(t[3]) > tonumber(ARGV[2]) then
            redis.call('DEL', famKey)
            return {'reused', t[2], t[1]}
          end
        else
          redis.call('HSET', KEYS[1], 'used', now)
        end
        redis.call('HSET', KEYS[2], 'fam', t[1], 'mid', t[2])
        redis.call('EXPIRE', KEYS[2], ARGV[3])
        redis.call('EXPIRE', famKey, ARGV[3])
        return {'ok', t[2], t[1]}
        """;

    readonly ConcurrentDictionary<string, (bool Active, long CheckedMs)> _familyChecks = new(StringComparer.Ordinal);
    string P => redis.Prefix;
    long Ttl => (long)options.Value.RefreshTokenLifetime.TotalSeconds;

    /// <summary>Starts a new family (one per log-in) and returns its id and first token.</summary>
    public async Task<(string Family, string Token)> StartFamilyAsync(string memberId)
    {
        var family = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var token = NewToken();
        var db = redis.Database;
        var tx = db.CreateTransaction();
        _ = tx.StringSetAsync($"{P}rtf:{family}", memberId, TimeSpan.FromSeconds(Ttl));
        _ = tx.HashSetAsync(Key(token), [new("fam", family), new("mid", memberId)]);
        _ = tx.KeyExpireAsync(Key(token), TimeSpan.FromSeconds(Ttl));
        _ = tx.SetAddAsync($"{P}rtm:{memberId}", family);
        _ = tx.KeyExpireAsync($"{P}rtm:{memberId}", TimeSpan.FromSeconds(Ttl));
        await tx.ExecuteAsync();
        return (family, token);
    }

    public async Task<RefreshOutcome> RotateAsync(string presented)
    {
        if (!LooksValid(presented)) return new(RefreshStatus.Invalid);
        var next = NewToken();
        RedisResult result;
        try
        {
            result = await redis.Database.ScriptEvaluateAsync(RotateScript, [Key(presented), Key(next)],
                [time.GetUtcNow().ToUnixTimeMilliseconds(), (long)options.Value.RefreshReuseGrace.TotalMilliseconds, Ttl, P]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return new(RefreshStatus.Unavailable);
        }
        var parts = (RedisResult[])result!;
        switch ((string?)parts[0])
        {
            case "ok": return new(RefreshStatus.Ok, (string?)parts[1], (string?)parts[2], next);
            case "reused":
                _familyChecks.TryRemove((string)parts[2]!, out _);
                return new(RefreshStatus.Reused, (string?)parts[1], (string?)parts[2]);
            case "revoked": return new(RefreshStatus.Revoked);
            default: return new(RefreshStatus.Invalid);
        }
    }

    /// <summary>Revokes the family of a refresh token (log-out); unknown tokens are ignored.</summary>
    public async Task RevokeFamilyOfAsync(string presented)
    {
        if (!LooksValid(presented)) return;
        var family = (string?)await redis.Database.HashGetAsync(Key(presented), "fam");
        if (family is not null) await RevokeFamilyAsync(family);
    }

    public async Task RevokeFamilyAsync(string family)
    {
        _familyChecks.TryRemove(family, out _);
        await redis.Database.KeyDeleteAsync($"{P}rtf:{family}");
    }

    /// <summary>Every session of a member ends (account deleted, password changed, suspended).</summary>
    public async Task RevokeAllAsync(string memberId)
    {
        var families = await redis.Database.SetMembersAsync($"{P}rtm:{memberId}");
        foreach (var family in families) await RevokeFamilyAsync((string)family!);
        await redis.Database.KeyDeleteAsync($"{P}rtm:{memberId}");
    }

    /// <summary>Whether an access token's session is still alive (checked at most every few seconds per family).</summary>
    public async ValueTask<bool> IsFamilyActiveAsync(string family)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_familyChecks.TryGetValue(family, out var known) && now - known.CheckedMs < 5000) return known.Active;
        try
        {
            var active = await redis.Database.KeyExistsAsync($"{P}rtf:{family}");
            _familyChecks[family] = (active, now);
            return active;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return true; // signed and short-lived: Redis being down must not log everyone out
        }
    }

    RedisKey Key(string token) => $"{P}rt:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))}";
    static string NewToken() => "nrt_" + Security.Base32.Encode(RandomNumberGenerator.GetBytes(32));
    static bool LooksValid(string token) => token.Length is > 10 and < 200 && token.StartsWith("nrt_", StringComparison.Ordinal);
}
