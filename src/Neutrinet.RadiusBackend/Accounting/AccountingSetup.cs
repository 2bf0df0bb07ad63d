namespace Neutrinet.RadiusBackend.Accounting;

internal static class AccountingSetup
{
    public static WebApplicationBuilder AddAccounting(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AccountingOptions>().BindConfiguration("Accounting").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<SessionStore>();
        builder.Services.AddSingleton<SimultaneousUse>();
        builder.Services.AddSingleton<LoginOutcomes>();
        builder.Services.AddHostedService<AccountingMaintenance>();
        return builder;
    }
}
