using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace Neutrinet.RadiusBackend.Web;

/// <summary>Kestrel settings for every endpoint (section <c>Server</c>).</summary>
public sealed class HttpServerOptions
{
    /// <summary>
    /// Handle a request on the socket thread that read it instead of handing it to the thread pool. rlm_rest keeps one
    /// call outstanding per connection, so that hand-off (a thread wake-up per login) was a third of the warm path's
    /// CPU (bench/README.md). Safe here because no request handler blocks: LDAP runs on its own threads, Argon2 on the
    /// thread pool, Redis is asynchronous. Set <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c> with it (the
    /// deployment files do) so the socket layer completes inline too.
    /// </summary>
    public bool InlineScheduling { get; set; } = true;
}

internal static class HttpServer
{
    public const long MaxRequestBodyBytes = 1024 * 1024;

    public static WebApplicationBuilder AddHttpServer(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<HttpServerOptions>().BindConfiguration("Server").ValidateOnStart();
        builder.Services.AddOptions<SocketTransportOptions>().Configure<IOptions<HttpServerOptions>>((transport, server) =>
            transport.UnsafePreferInlineScheduling = server.Value.InlineScheduling);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
        });
        return builder;
    }
}
