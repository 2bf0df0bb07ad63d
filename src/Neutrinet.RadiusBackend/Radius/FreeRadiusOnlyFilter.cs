using System.Net;
using System.Security.Cryptography;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Neutrinet.RadiusBackend.Radius;

/// <summary>
/// FreeRADIUS proves itself with the shared secret in <c>X-Api-Key</c> (compared in constant time; a key of another
/// length costs the same comparison) and must come from an allowed network. Each /radius handler asks it first: an endpoint filter
/// would do the same at the cost of an invocation context and boxed arguments on every login.
/// </summary>
public sealed class FreeRadiusOnlyFilter
{
    readonly string _expectedKey;
    readonly IPNetwork[] _networks;

    public FreeRadiusOnlyFilter(IOptions<RadiusOptions> options)
    {
        _expectedKey = options.Value.ApiKey;
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
        if (values.Count != 1 || values[0] is not { Length: > 0 } presented) return false;
        // A key of the wrong length is compared with the expected key itself, so the time taken depends on the
        // expected key's length only, never on what was presented.
        var expected = _expectedKey.AsSpan();
        var sameLength = presented.Length == expected.Length;
        var candidate = sameLength ? presented.AsSpan() : expected;
        return CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(candidate), MemoryMarshal.AsBytes(expected)) & sameLength;
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
