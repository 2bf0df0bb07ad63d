using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Neutrinet.RadiusBackend.Auth.External;

namespace Neutrinet.RadiusBackend.UnitTests;

public class RoleMappingTests
{
    static JsonObject Claims(string json) => (JsonObject)JsonNode.Parse(json)!;

    static ExternalProviderSettings Parse(string type, Dictionary<string, string?> keys, out List<string> problems)
    {
        var data = keys.ToDictionary(kv => "Auth:Modules:prov:" + kv.Key, kv => kv.Value);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(data).Build();
        return ExternalProviderSettings.Parse(configuration.GetSection("Auth:Modules:prov"), type, out problems);
    }

    static readonly Dictionary<string, string?> OAuthKeys = new()
    {
        ["OAUTH_AUTHORIZATION_URL"] = "https://id.example.org/auth", ["OAUTH_TOKEN_URL"] = "https://id.example.org/token",
        ["OAUTH_USERINFO_URL"] = "https://id.example.org/me", ["OAUTH_CLIENT_ID"] = "c", ["OAUTH_CLIENT_SECRET"] = "s",
        ["OAUTH_ROLE_TEACHER_VALUE"] = "groups_evaluetonsavoir-prof", ["OAUTH_ROLE_STUDENT_VALUE"] = "groups_evaluetonsavoir",
    };

    [Fact]
    public void Role_pivots_give_the_lower_cased_role_name_when_the_group_claim_holds_the_value()
    {
        var settings = Parse("oauth", OAuthKeys, out var problems);

        Assert.Empty(problems);
        Assert.Equal(["teacher"], RoleMapping.Map(Claims("""{"groups": ["x", "groups_evaluetonsavoir-prof"]}"""), settings.RoleRules));
        Assert.Equal(["student"], RoleMapping.Map(Claims("""{"groups": "groups_evaluetonsavoir"}"""), settings.RoleRules));
        Assert.Equal(["student", "teacher"], RoleMapping.Map(Claims("""{"groups": ["groups_evaluetonsavoir", "groups_evaluetonsavoir-prof"]}"""), settings.RoleRules));
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"groups": null}""")]
    [InlineData("""{"groups": []}""")]
    [InlineData("""{"groups": {"nested": "groups_evaluetonsavoir-prof"}}""")]
    [InlineData("""{"groups": ["groups_evaluetonsavoir-prof-not"]}""")]
    public void A_missing_or_odd_group_claim_gives_no_role(string claims)
    {
        var settings = Parse("oauth", OAuthKeys, out _);

        Assert.Empty(RoleMapping.Map(Claims(claims), settings.RoleRules));
    }

    [Fact]
    public void General_rules_follow_nested_paths_arrays_of_objects_and_claims_named_with_dots()
    {
        var keys = new Dictionary<string, string?>(OAuthKeys)
        {
            ["OAUTH_ROLE_MAPPINGS:0:claim"] = "realm_access.roles", ["OAUTH_ROLE_MAPPINGS:0:value"] = "vpn-admin", ["OAUTH_ROLE_MAPPINGS:0:role"] = "Admin",
            ["OAUTH_ROLE_MAPPINGS:1:claim"] = "orgs.name", ["OAUTH_ROLE_MAPPINGS:1:value"] = "neutrinet", ["OAUTH_ROLE_MAPPINGS:1:role"] = "volunteer",
            ["OAUTH_ROLE_MAPPINGS:2:claim"] = "https://example.org/claims/tier", ["OAUTH_ROLE_MAPPINGS:2:value"] = "2", ["OAUTH_ROLE_MAPPINGS:2:role"] = "tier2",
        };
        var settings = Parse("oauth", keys, out var problems);

        var roles = RoleMapping.Map(Claims("""
            {"realm_access": {"roles": ["user", "vpn-admin"]}, "orgs": [{"name": "other"}, {"name": "neutrinet"}],
             "https://example.org/claims/tier": 2}
            """), settings.RoleRules);

        Assert.Empty(problems);
        Assert.Equal(["admin", "tier2", "volunteer"], roles);
    }

    [Theory]
    [InlineData("""{"email_verified": true}""", true)]
    [InlineData("""{"email_verified": "True"}""", true)]
    [InlineData("""{"email_verified": "true"}""", true)]
    [InlineData("""{"email_verified": false}""", false)]
    [InlineData("""{"email_verified": "yes"}""", false)]
    [InlineData("""{}""", false)]
    public void Email_verified_is_read_as_a_boolean_or_its_text(string claims, bool expected) =>
        Assert.Equal(expected, RoleMapping.IsTrue(Claims(claims), "email_verified"));

    [Fact]
    public void Settings_refuse_plain_http_off_loopback_missing_keys_and_bad_rules_naming_each_key()
    {
        Parse("oidc", new() { ["OIDC_CONFIG_URL"] = "http://id.example.org/.well-known/openid-configuration", ["OIDC_CLIENT_ID"] = "c" }, out var problems);
        Parse("oauth", new(OAuthKeys) { ["OAUTH_ROLE_MAPPINGS:0:claim"] = "groups" }, out var badRule);
        var loopback = Parse("oidc", new()
        {
            ["OIDC_CONFIG_URL"] = "http://localhost:9/.well-known/openid-configuration", ["OIDC_CLIENT_ID"] = "c", ["OIDC_CLIENT_SECRET"] = "s",
            ["OIDC_ADD_SCOPE"] = "groups, offline_access", ["OIDC_USE_PAR"] = "false",
        }, out var none);

        Assert.Contains(":OIDC_CLIENT_SECRET is required for a oidc provider", problems);
        Assert.Contains(problems, p => p.StartsWith(":OIDC_CONFIG_URL must use https", StringComparison.Ordinal));
        Assert.Contains(badRule, p => p.StartsWith(":OAUTH_ROLE_MAPPINGS:0 needs", StringComparison.Ordinal));
        Assert.Empty(none);
        Assert.Equal(["groups", "offline_access"], loopback.ExtraScopes);
        Assert.False(loopback.UsePar);
    }

    [Fact]
    public void The_external_id_is_type_provider_and_subject_and_plain_oauth_falls_back_to_id()
    {
        var settings = Parse("oauth", OAuthKeys, out _) with { Name = "gmatte" };

        var identity = ExternalIdentity.From(settings, Claims("""{"id": 4242, "email": "a@example.org", "name": "A"}"""));

        Assert.Equal("oauth:gmatte:4242", identity?.ExternalId);
        Assert.False(identity?.EmailVerified);
        Assert.Null(ExternalIdentity.From(settings, Claims("""{"email": "a@example.org"}""")));
    }
}
