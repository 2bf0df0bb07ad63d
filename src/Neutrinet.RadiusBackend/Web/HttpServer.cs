using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Neutrinet.RadiusBackend.Web;

/// <summary>Kestrel settings for every endpoint (section <c>Server</c>).</summary>
public sealed class HttpServerOptions
{
    /// <summary>
    /// Handle a request on the socket thread that read it instead of handing it to the thread pool. rlm_rest keeps one
    /// call outstanding per connection, so that hand-off (a thread wake-up per login) was a third of the warm path's
    /// CPU (bench/README.md). Safe here because no request handler blocks: LDAP runs on its own threads, Argon2 on
    /// threads of its own, Redis is asynchronous. Set <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c> with it (the
    /// deployment files do) so the socket layer completes inline too.
    /// </summary>
    public bool InlineScheduling { get; set; } = true;

    /// <summary>
    /// Most thread-pool worker threads per processor; 0 leaves .NET's default (hundreds). Nothing on the pool blocks:
    /// requests run on the socket threads, LDAP calls on the LDAP pool's own threads, password hashing on threads of
    /// its own, Redis is asynchronous. More workers than cores then only add wake-ups: a worker that takes work wakes
    /// another, which usually finds nothing, and in a reconnect storm those wake-ups were a large part of a cold
    /// login's CPU (bench/README.md).
    /// </summary>
    [Range(0, 64)]
    public int WorkerThreadsPerCore { get; set; } = 1;
}

internal static class HttpServer
{
    public const long MaxRequestBodyBytes = 1024 * 1024;

    public static WebApplicationBuilder AddHttpServer(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<HttpServerOptions>().BindConfiguration("Server").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<ThreadPoolCap>();
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

/// <summary>Applies <see cref="HttpServerOptions.WorkerThreadsPerCore"/> before the server starts taking requests.</summary>
internal sealed class ThreadPoolCap(IOptions<HttpServerOptions> options, ILogger<ThreadPoolCap> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var perCore = options.Value.WorkerThreadsPerCore;
        if (perCore == 0) return Task.CompletedTask;
        ThreadPool.GetMaxThreads(out _, out var completionPortThreads);
        var workers = perCore * Environment.ProcessorCount;
        if (!ThreadPool.SetMaxThreads(workers, completionPortThreads))
            logger.LogWarning("Could not cap the thread pool at {Workers} worker threads", workers);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
