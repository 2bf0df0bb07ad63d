namespace Neutrinet.RadiusBackend.Web;

/// <summary>
/// The members' web pages (wwwroot/: login, register, member, admin): static files that only call the JSON API.
/// A strict content security policy: scripts and styles come from this origin only, nothing inline.
/// </summary>
internal static class WebPages
{
    const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static IApplicationBuilder UseWebPages(this IApplicationBuilder people)
    {
        people.UseDefaultFiles();
        people.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers.CacheControl = "no-cache";
            },
        });
        return people;
    }
}
