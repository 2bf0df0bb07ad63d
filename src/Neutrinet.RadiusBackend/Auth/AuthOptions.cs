using System.ComponentModel.DataAnnotations;

namespace Neutrinet.RadiusBackend.Auth;

public sealed class AuthOptions : IValidatableObject
{
    /// <summary>The module file (JSON, comments allowed). Relative paths are resolved from the binary's folder.</summary>
    public string ConfigFile { get; set; } = "auth_config.json";

    [Required] public string Issuer { get; set; } = "neutrinet-radius-backend";
    [Required] public string Audience { get; set; } = "neutrinet-members";

    [Range(typeof(TimeSpan), "00:01:00", "01:00:00")] public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);
    [Range(typeof(TimeSpan), "00:10:00", "365.00:00:00")] public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Two tabs refreshing with the same token within this window both succeed; later reuse revokes the family.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")] public TimeSpan RefreshReuseGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Base64 HMAC key (>= 32 bytes). When empty, one is generated once and kept in Redis so every
    /// instance and every restart use the same key.</summary>
    public string? SigningKey { get; set; }

    /// <summary>LDAP group cn (in ou=groups) to role name. Every member also has the role "member".</summary>
    public Dictionary<string, string> RoleGroups { get; set; } = new(StringComparer.OrdinalIgnoreCase) { ["admins"] = "admin" };

    /// <summary>The refresh cookie's Secure flag; only turn it off for plain-http development.</summary>
    public bool SecureCookies { get; set; } = true;

    /// <summary>Every call to an external provider (discovery, PAR, token, userinfo) gives up after this.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")] public TimeSpan ExternalProviderTimeout { get; set; } = TimeSpan.FromSeconds(5);

    [Range(1, 100_000)] public int LoginAttemptsPerAccount { get; set; } = 10;
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")] public TimeSpan LoginAttemptsWindow { get; set; } = TimeSpan.FromMinutes(15);
    [Range(1, 1_000_000)] public int RequestsPerClientPerMinute { get; set; } = 30;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(SigningKey))
        {
            var bytes = new byte[SigningKey.Length];
            if (!Convert.TryFromBase64String(SigningKey, bytes, out var n) || n < 32)
                yield return new ValidationResult("Auth:SigningKey must be base64 of at least 32 bytes", [nameof(SigningKey)]);
        }
    }
}
