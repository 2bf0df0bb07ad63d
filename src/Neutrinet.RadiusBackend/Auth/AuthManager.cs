using Microsoft.Extensions.Options;
using Neutrinet.RadiusBackend.Auth.External;
using Neutrinet.RadiusBackend.Auth.SimpleForm;
using Neutrinet.RadiusBackend.Directory;

namespace Neutrinet.RadiusBackend.Auth;

public sealed record LoginResult(IssuedTokens Tokens, MemberEntry Member, IReadOnlyList<string> Roles);

/// <summary>
/// The single source of truth for authentication: loads the modules named in configuration (auth_config.json and
/// environment), lets each map its routes, and is the only place tokens are issued, rotated and revoked.
/// </summary>
public sealed class AuthManager
{
    public const string RefreshCookie = "nrb_refresh";
    static readonly string[] ExternalTypes = ["oauth", "oidc"];

    readonly AuthOptions _options;
    readonly AccessTokens _access;
    readonly RefreshTokens _refresh;
    readonly MemberDirectory _directory;
    readonly SessionRoles _sessionRoles;
    readonly ILogger<AuthManager> _logger;

    public AuthManager(IConfiguration configuration, IServiceProvider services, IOptions<AuthOptions> options,
        AccessTokens access, RefreshTokens refresh, MemberDirectory directory, SessionRoles sessionRoles, ILogger<AuthManager> logger)
    {
        _options = options.Value;
        _access = access;
        _refresh = refresh;
        _directory = directory;
        _sessionRoles = sessionRoles;
        _logger = logger;
        Modules = LoadModules(configuration.GetSection("Auth:Modules"), services);
    }

    public IReadOnlyList<IAuthModule> Modules { get; }

    /// <summary>Validates every configured module; all problems are reported at once, each naming its key.</summary>
    List<IAuthModule> LoadModules(IConfigurationSection section, IServiceProvider services)
    {
        var modules = new List<IAuthModule>();
        var errors = new List<string>();
        foreach (var module in section.GetChildren())
        {
            var path = $"Auth:Modules:{module.Key}";
            if (!bool.TryParse(module["Enabled"] ?? "true", out var enabled))
            {
                errors.Add($"{path}:Enabled must be true or false");
                continue;
            }
            if (!enabled) continue;
            var type = module["Type"] ?? module["type"];
            if (string.IsNullOrWhiteSpace(type))
            {
                errors.Add($"{path}: 'type' is missing (one of: simpleauth, oauth, oidc)");
                continue;
            }
            switch (type.ToLowerInvariant())
            {
                case "simpleauth":
                    if (!string.Equals(module.Key, "simpleauth", StringComparison.Ordinal))
                        errors.Add($"{path}: the simple-form module must be named 'simpleauth' (its routes are /api/auth/simpleauth/...)");
                    else
                        modules.Add(ActivatorUtilities.CreateInstance<SimpleFormModule>(services, this));
                    break;
                case var external when ExternalTypes.Contains(external):
                    var settings = ExternalProviderSettings.Parse(module, external, out var problems);
                    errors.AddRange(problems.Select(p => $"{path}{p}"));
                    if (problems.Count == 0)
                        modules.Add(ActivatorUtilities.CreateInstance<ExternalLoginModule>(services, settings));
                    break;
                default:
                    errors.Add($"{path}: unknown module type '{type}' (known: simpleauth, oauth, oidc)");
                    break;
            }
        }
        if (errors.Count > 0)
            throw new AuthConfigurationException("Invalid authentication configuration:\n  " + string.Join("\n  ", errors));
        return modules;
    }

    /// <summary>Called by modules once they know who the member is. Roles come from the directory only.</summary>
    public Task<LoginResult> LogInAsync(MemberEntry member, HttpContext http, CancellationToken ct = default) =>
        LogInAsync(member, http, [], ct);

    /// <summary>
    /// Log-in with extra roles an external provider vouched for (its role mapping, from the provider's claims, never
    /// from a request body). They are kept with the session family (Redis, same lifetime as the refresh tokens),
    /// re-applied on every refresh, added to the directory roles, and re-evaluated at the next external log-in.
    /// </summary>
    public async Task<LoginResult> LogInAsync(MemberEntry member, HttpContext http, IReadOnlyCollection<string> sessionRoles,
        CancellationToken ct = default)
    {
        var (family, refreshToken) = await _refresh.StartFamilyAsync(member.Id);
        if (sessionRoles.Count > 0) await _sessionRoles.SetAsync(family, sessionRoles);
        var roles = Combine(await RolesAsync(member, ct), sessionRoles);
        var tokens = Issue(member, family, roles, refreshToken);
        SetCookie(http, refreshToken);
        return new LoginResult(tokens, member, roles);
    }

    public async Task<(RefreshStatus Status, LoginResult? Result)> RefreshAsync(string presented, HttpContext http, CancellationToken ct = default)
    {
        var outcome = await _refresh.RotateAsync(presented);
        if (outcome.Status == RefreshStatus.Reused)
            _logger.LogWarning("Refresh token reused after rotation: session family of member {MemberId} revoked", outcome.MemberId);
        if (outcome.Status != RefreshStatus.Ok) return (outcome.Status, null);
        var member = await _directory.FindByIdAsync(outcome.MemberId!, ct);
        if (member is null || member.Suspended)
        {
            await _refresh.RevokeFamilyAsync(outcome.Family!);
            return (RefreshStatus.Revoked, null);
        }
        IReadOnlyList<string> sessionRoles;
        try { sessionRoles = await _sessionRoles.GetAsync(outcome.Family!); }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            return (RefreshStatus.Unavailable, null); // the client retries within the reuse grace
        }
        var roles = Combine(await RolesAsync(member, ct), sessionRoles);
        SetCookie(http, outcome.NewToken!);
        return (RefreshStatus.Ok, new LoginResult(Issue(member, outcome.Family!, roles, outcome.NewToken!), member, roles));
    }

    public async Task LogOutAsync(string? presented, HttpContext http)
    {
        if (presented is not null) await _refresh.RevokeFamilyOfAsync(presented);
        http.Response.Cookies.Delete(RefreshCookie, CookieOptions());
    }

    public Task EndAllSessionsAsync(string memberId) => _refresh.RevokeAllAsync(memberId);

    public async Task<IReadOnlyList<string>> RolesAsync(MemberEntry member, CancellationToken ct = default)
    {
        var roles = new SortedSet<string>(StringComparer.Ordinal) { "member" };
        foreach (var group in await _directory.GetGroupsAsync(member.Id, ct))
            if (_options.RoleGroups.TryGetValue(group, out var role)) roles.Add(role);
        return [.. roles];
    }

    static IReadOnlyList<string> Combine(IReadOnlyList<string> directoryRoles, IReadOnlyCollection<string> sessionRoles) =>
        sessionRoles.Count == 0 ? directoryRoles : [.. new SortedSet<string>(directoryRoles.Concat(sessionRoles), StringComparer.Ordinal)];

    IssuedTokens Issue(MemberEntry member, string family, IReadOnlyList<string> roles, string refreshToken) =>
        new(_access.Issue(member.Id, member.Email, family, roles), refreshToken, (int)_options.AccessTokenLifetime.TotalSeconds);

    void SetCookie(HttpContext http, string refreshToken)
    {
        var cookie = CookieOptions();
        cookie.MaxAge = _options.RefreshTokenLifetime;
        http.Response.Cookies.Append(RefreshCookie, refreshToken, cookie);
    }

    CookieOptions CookieOptions() => new()
    {
        HttpOnly = true,
        Secure = _options.SecureCookies,
        SameSite = SameSiteMode.Strict,
        Path = "/api/auth",
        IsEssential = true,
    };
}
