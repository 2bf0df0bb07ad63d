using System.Net;
using System.Text.RegularExpressions;

namespace Neutrinet.RadiusBackend.Auth.External;

/// <summary>One "claim holds value → role" rule. <see cref="ClaimPath"/> is dotted (<c>realm_access.roles</c>);
/// arrays met on the way are searched element by element.</summary>
public sealed record RoleRule(string ClaimPath, string Value, string Role);

/// <summary>
/// An external provider as configured in auth_config.json (<c>Auth:Modules:&lt;name&gt;</c>). Keys carry the type's
/// prefix (<c>OAUTH_</c> or <c>OIDC_</c>):
/// <list type="bullet">
/// <item>oauth: <c>AUTHORIZATION_URL</c>, <c>TOKEN_URL</c>, <c>USERINFO_URL</c>, <c>CLIENT_ID</c>, <c>CLIENT_SECRET</c>;
/// oidc: <c>CONFIG_URL</c> (the discovery document), <c>CLIENT_ID</c>, <c>CLIENT_SECRET</c>, optional <c>USE_PAR</c>
/// (true: required, false: never; default: when the provider offers it).</item>
/// <item>optional: <c>ADD_SCOPE</c> (space or comma separated), <c>DISPLAY_NAME</c>, <c>SUBJECT_CLAIM</c> (sub),
/// <c>EMAIL_CLAIM</c> (email), <c>NAME_CLAIM</c> (name), <c>ROLE_CLAIM</c> (groups).</item>
/// <item>role pivots: <c>ROLE_&lt;NAME&gt;_VALUE</c>: a user whose <c>ROLE_CLAIM</c> holds the value gets role
/// &lt;name&gt; (lower-cased); general rules: <c>ROLE_MAPPINGS</c>, an array of <c>{"claim", "value", "role"}</c>.</item>
/// </list>
/// </summary>
public sealed partial record ExternalProviderSettings(
    string Name, string Type, string DisplayName, string ClientId, string ClientSecret,
    Uri? ConfigUrl, Uri? AuthorizationUrl, Uri? TokenUrl, Uri? UserInfoUrl, bool? UsePar,
    IReadOnlyList<string> ExtraScopes, string SubjectClaim, string EmailClaim, string NameClaim,
    IReadOnlyList<RoleRule> RoleRules)
{
    public const string OAuth = "oauth";
    public const string Oidc = "oidc";

    public string Scheme => "external:" + Name;
    public string CallbackPath => $"/api/auth/{Name}/callback";
    public string StartPath => $"/api/auth/{Name}/login";

    static readonly string[] OAuthRequired = ["AUTHORIZATION_URL", "TOKEN_URL", "USERINFO_URL", "CLIENT_ID", "CLIENT_SECRET"];
    static readonly string[] OidcRequired = ["CONFIG_URL", "CLIENT_ID", "CLIENT_SECRET"];

    /// <summary>Reads one module section; <paramref name="problems"/> lists each problem as ":KEY message".</summary>
    public static ExternalProviderSettings Parse(IConfigurationSection module, string type, out List<string> problems)
    {
        var errors = new List<string>();
        var prefix = type == OAuth ? "OAUTH_" : "OIDC_";
        string? Get(string key) => module[prefix + key] is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        if (!NamePattern().IsMatch(module.Key))
            errors.Add(": the provider name must be 1-32 characters A-Z, a-z, 0-9, '-' or '_' (it is part of the URLs)");
        foreach (var key in type == OAuth ? OAuthRequired : OidcRequired)
            if (Get(key) is null) errors.Add($":{prefix}{key} is required for a {type} provider");
        Uri? Url(string key)
        {
            if (Get(key) is not { } text) return null;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            {
                errors.Add($":{prefix}{key} must be an absolute URL");
                return null;
            }
            if (uri.Scheme == "http" && !IsLoopback(uri))
                errors.Add($":{prefix}{key} must use https (plain http is only accepted on loopback, for tests)");
            return uri;
        }
        var configUrl = Url("CONFIG_URL");
        var authorizationUrl = Url("AUTHORIZATION_URL");
        var tokenUrl = Url("TOKEN_URL");
        var userInfoUrl = Url("USERINFO_URL");

        bool? usePar = null;
        if (Get("USE_PAR") is { } par)
        {
            if (bool.TryParse(par, out var parsed)) usePar = parsed;
            else errors.Add($":{prefix}USE_PAR must be true or false");
        }

        var roleClaim = Get("ROLE_CLAIM") ?? "groups";
        var rules = new List<RoleRule>();
        foreach (var child in module.GetChildren())
        {
            var match = PivotPattern().Match(child.Key);
            if (!match.Success || !string.Equals(match.Groups["prefix"].Value, prefix, StringComparison.OrdinalIgnoreCase)) continue;
            if (string.IsNullOrWhiteSpace(child.Value)) continue; // an empty pivot grants nothing
            var role = match.Groups["role"].Value.ToLowerInvariant();
            if (!RolePattern().IsMatch(role)) errors.Add($":{child.Key}: the role name must be a-z, 0-9, '-' or '_'");
            else rules.Add(new RoleRule(roleClaim, child.Value.Trim(), role));
        }
        foreach (var (rule, index) in module.GetSection(prefix + "ROLE_MAPPINGS").GetChildren().Select((r, i) => (r, i)))
        {
            var claim = rule["claim"];
            var value = rule["value"];
            var role = rule["role"]?.Trim().ToLowerInvariant();
            if (string.IsNullOrWhiteSpace(claim) || value is null || role is null || !RolePattern().IsMatch(role))
                errors.Add($":{prefix}ROLE_MAPPINGS:{index} needs \"claim\", \"value\" and \"role\" (role: a-z, 0-9, '-' or '_')");
            else rules.Add(new RoleRule(claim.Trim(), value, role));
        }

        problems = errors;
        return new ExternalProviderSettings(
            module.Key, type, Get("DISPLAY_NAME") ?? module.Key, Get("CLIENT_ID") ?? "", Get("CLIENT_SECRET") ?? "",
            configUrl, authorizationUrl, tokenUrl, userInfoUrl, usePar,
            [.. (Get("ADD_SCOPE") ?? "").Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            Get("SUBJECT_CLAIM") ?? "sub", Get("EMAIL_CLAIM") ?? "email", Get("NAME_CLAIM") ?? "name", rules);
    }

    /// <summary>The enabled oauth/oidc modules whose settings are valid (invalid ones are reported by the AuthManager).</summary>
    public static IEnumerable<ExternalProviderSettings> FromConfiguration(IConfiguration configuration)
    {
        foreach (var module in configuration.GetSection("Auth:Modules").GetChildren())
        {
            if (!bool.TryParse(module["Enabled"] ?? "true", out var enabled) || !enabled) continue;
            var type = (module["Type"] ?? module["type"])?.ToLowerInvariant();
            if (type is not (OAuth or Oidc)) continue;
            var settings = Parse(module, type, out var problems);
            if (problems.Count == 0) yield return settings;
        }
    }

    internal static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    [GeneratedRegex("^[A-Za-z0-9_-]{1,32}$")] private static partial Regex NamePattern();
    [GeneratedRegex("^[a-z0-9_-]{1,64}$")] private static partial Regex RolePattern();
    [GeneratedRegex("^(?<prefix>[A-Za-z]+_)ROLE_(?<role>.+)_VALUE$")] private static partial Regex PivotPattern();
}
