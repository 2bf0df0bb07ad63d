namespace Neutrinet.RadiusBackend.Radius;

internal static class RadiusSetup
{
    public static WebApplicationBuilder AddRadius(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RadiusOptions>().BindConfiguration("Radius").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<AccessPolicy>();
        builder.Services.AddSingleton<AccountingIntake>();
        builder.Services.AddSingleton<FreeRadiusOnlyFilter>();
        return builder;
    }
}
