using Neutrinet.RadiusBackend.Security;

namespace Neutrinet.RadiusBackend.Directory;

internal static class DirectorySetup
{
    public static WebApplicationBuilder AddDirectory(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<LdapOptions>().BindConfiguration("Ldap").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<PasswordHashingOptions>().BindConfiguration("PasswordHashing").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<LdapConnectionPool>();
        builder.Services.AddSingleton<MemberDirectory>();
        builder.Services.AddHostedService<TokenOwnerMigration>();
        builder.Services.AddSingleton<PasswordHasher>();
        return builder;
    }
}
