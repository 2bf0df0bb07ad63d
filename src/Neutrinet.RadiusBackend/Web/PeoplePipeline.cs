namespace Neutrinet.RadiusBackend.Web;

internal static class PeoplePipeline
{
    /// <summary>
    /// Middleware that only people's requests need (web pages, sign-in, status-code pages), in a branch that
    /// rlm_rest's calls skip: on the login path each of them cost a few hundred nanoseconds to microseconds for nothing.
    /// </summary>
    public static WebApplication UseForPeople(this WebApplication app, Func<HttpContext, bool> isMachineCall,
        Action<IApplicationBuilder> configure)
    {
        IApplicationBuilder? branch = null;
        app.UseWhen(http => !isMachineCall(http), people =>
        {
            configure(people);
            branch = people;
        });
        // The branch works on a copy of the builder's properties: WebApplication would not see that authentication
        // and authorisation are placed and would add both again at the top of the pipeline, in front of /radius.
        var pipeline = (IApplicationBuilder)app;
        foreach (var (key, value) in branch!.Properties)
            if (key.EndsWith("MiddlewareSet", StringComparison.Ordinal)) pipeline.Properties[key] = value;
        return app;
    }
}
