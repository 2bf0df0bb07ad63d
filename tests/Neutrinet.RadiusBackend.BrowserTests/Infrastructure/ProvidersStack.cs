using System.Net;
using System.Net.Sockets;
using Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;

namespace Neutrinet.RadiusBackend.BrowserTests.Infrastructure;

/// <summary>
/// slapd, redis-server, the test OIDC provider and two backend processes sharing them:
/// <list type="bullet">
/// <item><see cref="Backend"/>: the seed-shaped auth_config.json (gmatte: plain OAuth2, etsmtl: OIDC) plus, from the
/// environment, "nopar" (OIDC without PAR, so the browser sees the authorization request), "offline" (nothing listens)
/// and "hung" (accepts connections, never answers), and the OpenVPN profile settings;</item>
/// <item><see cref="SeedOnly"/>: the same file and nothing else.</item>
/// </list>
/// </summary>
public sealed class ProvidersStack : IAsyncLifetime
{
    public const string TeacherValueOAuth = "groups_evaluetonsavoir-prof";
    public const string StudentValueOAuth = "groups_evaluetonsavoir";
    public const string TeacherValueOidc = "etsmtl-enseignants";
    public const string StudentValueOidc = "etsmtl-etudiants";
    public const string VpnServer = "vpn.example.test";
    public const string FakeCa = "-----BEGIN CERTIFICATE-----\nMIIBtestCAforBrowserTestsOnly\n-----END CERTIFICATE-----";

    readonly TempDir _dir = new("browser");
    readonly TcpListener _hung = new(IPAddress.Loopback, 0);

    public ProvidersStack()
    {
        Ldap = new SlapdServer(_dir.Sub("slapd"));
        Redis = new RedisServer(_dir.Sub("redis"));
        // The backends read their settings at start: the dictionaries are filled once the provider's port is known.
        var mainSettings = new Dictionary<string, string>();
        var seedSettings = new Dictionary<string, string>();
        Backend = new BackendServer(Ldap, Redis, mainSettings);
        SeedOnly = new BackendServer(Ldap, Redis, seedSettings);
        var mainPort = Backend.Port;
        var seedPort = SeedOnly.Port;
        string Cb(int port, string name) => $"http://127.0.0.1:{port}/api/auth/{name}/callback";
        Provider = new OidcProviderServer([
            new("gmatte-client", "gmatte-secret", [Cb(mainPort, "gmatte"), Cb(seedPort, "gmatte")]),
            new("etsmtl-client", "etsmtl-secret", [Cb(mainPort, "etsmtl"), Cb(seedPort, "etsmtl")]),
            new("nopar-client", "nopar-secret", [Cb(mainPort, "nopar")]),
        ]);
        var configFile = _dir.Sub("auth_config.json");
        File.WriteAllText(configFile, SeedConfig(Provider.Issuer));
        var caFile = _dir.Sub("ca.crt");
        File.WriteAllText(caFile, FakeCa + "\n");
        _hung.Start();
        var hungPort = ((IPEndPoint)_hung.LocalEndpoint).Port;

        var common = new Dictionary<string, string>
        {
            ["Auth__ConfigFile"] = configFile,
            ["Auth__SecureCookies"] = "false",
            ["Auth__ExternalProviderTimeout"] = "00:00:02",
        };
        foreach (var (k, v) in common) { mainSettings[k] = v; seedSettings[k] = v; }
        foreach (var (k, v) in new Dictionary<string, string>
        {
            ["OpenVpn__ServerAddress"] = VpnServer,
            ["OpenVpn__CaCertificateFile"] = caFile,
            ["Auth__Modules__nopar__Type"] = "oidc",
            ["Auth__Modules__nopar__OIDC_CONFIG_URL"] = Provider.Issuer + "/.well-known/openid-configuration",
            ["Auth__Modules__nopar__OIDC_CLIENT_ID"] = "nopar-client",
            ["Auth__Modules__nopar__OIDC_CLIENT_SECRET"] = "nopar-secret",
            ["Auth__Modules__nopar__OIDC_USE_PAR"] = "false",
            ["Auth__Modules__offline__Type"] = "oidc",
            ["Auth__Modules__offline__OIDC_CONFIG_URL"] = $"http://127.0.0.1:{FreePort.Tcp()}/.well-known/openid-configuration",
            ["Auth__Modules__offline__OIDC_CLIENT_ID"] = "x",
            ["Auth__Modules__offline__OIDC_CLIENT_SECRET"] = "x",
            ["Auth__Modules__hung__Type"] = "oauth",
            ["Auth__Modules__hung__OAUTH_AUTHORIZATION_URL"] = $"http://127.0.0.1:{hungPort}/auth",
            ["Auth__Modules__hung__OAUTH_TOKEN_URL"] = $"http://127.0.0.1:{hungPort}/token",
            ["Auth__Modules__hung__OAUTH_USERINFO_URL"] = $"http://127.0.0.1:{hungPort}/me",
            ["Auth__Modules__hung__OAUTH_CLIENT_ID"] = "x",
            ["Auth__Modules__hung__OAUTH_CLIENT_SECRET"] = "x",
        }) mainSettings[k] = v;
    }

    /// <summary>The example of issue 4, comments kept, URLs pointing to the test provider.</summary>
    public static string SeedConfig(string issuer) => """
        {"auth": {"passportjs": [
           {"gmatte": {"type": "oauth", // a plain OAuth2 provider
              "OAUTH_AUTHORIZATION_URL": "@ISSUER@/auth", "OAUTH_TOKEN_URL": "@ISSUER@/token", "OAUTH_USERINFO_URL": "@ISSUER@/oauth/userinfo",
              "OAUTH_CLIENT_ID": "gmatte-client", "OAUTH_CLIENT_SECRET": "gmatte-secret", "OAUTH_ADD_SCOPE": "groups",
              "OAUTH_ROLE_TEACHER_VALUE": "@TEACHERVALUEOAUTH@", "OAUTH_ROLE_STUDENT_VALUE": "@STUDENTVALUEOAUTH@"}},
           {"etsmtl": {"type": "oidc", "OIDC_CONFIG_URL": "@ISSUER@/.well-known/openid-configuration",
              "OIDC_CLIENT_ID": "etsmtl-client", "OIDC_CLIENT_SECRET": "etsmtl-secret", "OIDC_ADD_SCOPE": "",
              "OIDC_ROLE_TEACHER_VALUE": "@TEACHERVALUEOIDC@", "OIDC_ROLE_STUDENT_VALUE": "@STUDENTVALUEOIDC@"}}],
         "simpleauth": {}}}
        """
        .Replace("@ISSUER@", issuer, StringComparison.Ordinal)
        .Replace("@TEACHERVALUEOAUTH@", TeacherValueOAuth, StringComparison.Ordinal).Replace("@STUDENTVALUEOAUTH@", StudentValueOAuth, StringComparison.Ordinal)
        .Replace("@TEACHERVALUEOIDC@", TeacherValueOidc, StringComparison.Ordinal).Replace("@STUDENTVALUEOIDC@", StudentValueOidc, StringComparison.Ordinal);

    public SlapdServer Ldap { get; }
    public RedisServer Redis { get; }
    public OidcProviderServer Provider { get; }
    public BackendServer Backend { get; }
    public BackendServer SeedOnly { get; }
    public Browser Browser { get; } = new();
    public AdminTools Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Task.WhenAll(Ldap.StartAsync(), Redis.StartAsync(), Provider.StartAsync(), Browser.StartAsync());
        await Task.WhenAll(Backend.StartAsync(), SeedOnly.StartAsync());
        Admin = new AdminTools(Ldap, Redis);
    }

    public async Task DisposeAsync()
    {
        Admin?.Dispose();
        await Browser.DisposeAsync();
        await Backend.DisposeAsync();
        await SeedOnly.DisposeAsync();
        await Provider.DisposeAsync();
        await Redis.DisposeAsync();
        await Ldap.DisposeAsync();
        _hung.Stop();
        _dir.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ProvidersCollection : ICollectionFixture<ProvidersStack>
{
    public const string Name = "providers";
}
