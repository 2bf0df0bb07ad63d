namespace Neutrinet.RadiusBackend.Caching;

internal static class CachingSetup
{
    public static WebApplicationBuilder AddCaching(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RedisOptions>().BindConfiguration("Redis").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<CacheOptions>().BindConfiguration("Cache").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<RedisConnection>();
        builder.Services.AddSingleton<RedisWriteBehind>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RedisWriteBehind>());
        builder.Services.AddSingleton<MemberCache>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MemberCache>());
        return builder;
    }
}
