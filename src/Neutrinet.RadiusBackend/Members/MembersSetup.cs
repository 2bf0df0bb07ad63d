namespace Neutrinet.RadiusBackend.Members;

internal static class MembersSetup
{
    public static WebApplicationBuilder AddMembers(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MemberService>();
        builder.Services.AddOptions<OpenVpnOptions>().BindConfiguration("OpenVpn");
        return builder;
    }
}
