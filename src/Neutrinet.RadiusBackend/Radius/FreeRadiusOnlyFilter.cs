using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Neutrinet.RadiusBackend.Radius;

/// <summary>
/// FreeRADIUS proves itself with the shared secret in <c>X-Api-Key</c> (compared in constant time, lengths hidden by
/// hashing both sides) and must come from an allowed network. Each /radius handler asks it first: an endpoint filter
/// would do the same at the cost of an invocation context and boxed arguments on every login.
/// </summary>
public sealed class FreeRadiusOnlyFilter
{
    readonly byte[] _expectedHash;
    readonly IPNetwork[] _networks;

    public FreeRadiusOnlyFilter(IOptions<RadiusOptions> options)
    {
        _expectedHash = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.ApiKey));
        _networks = options.Value.ParsedNetworks();
    }

    /// <summary>The problem to answer when the caller is not FreeRADIUS; null lets the request through.</summary>
    public ProblemHttpResult? Refuse(HttpContext http)
    {
        if (!IsAllowedSource(http.Connection.RemoteIpAddress))
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden,
                title: "Source address not allowed", detail: "This address may not call the RADIUS endpoints.");
        if (!HasValidKey(http.Request.Headers["X-Api-Key"]))
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized,
                title: "Missing or wrong X-Api-Key", detail: "The RADIUS endpoints need FreeRADIUS's shared secret.");
        return null;
    }

    bool HasValidKey(Microsoft.Extensions.Primitives.StringValues values)
    {
        if (values.Count != 1 || values[0] is not { Length: > 0 and <= 1024 } presented) return false;
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        return CryptographicOperations.FixedTimeEquals(hash, _expectedHash);
    }

    bool IsAllowedSource(IPAddress? address)
    {
        if (_networks.Length == 0) return true;
        if (address is null) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        foreach (var network in _networks)
            if (network.Contains(address)) return true;
        return false;
    }
}
