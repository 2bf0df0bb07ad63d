using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Neutrinet.RadiusBackend.Radius;

public enum AuthFlow
{
    /// <summary>authorize checks the token and answers Auth-Type Accept: one HTTP call per login.</summary>
    SingleCall,
    /// <summary>authorize answers Auth-Type rest, then FreeRADIUS calls authenticate with the token.</summary>
    TwoCall,
}

public sealed class RadiusOptions : IValidatableObject
{
    /// <summary>The shared secret FreeRADIUS sends in the X-Api-Key header.</summary>
    [Required, MinLength(16)] public string ApiKey { get; set; } = "";

    /// <summary>Source networks allowed to call /radius (CIDR). Empty allows any source.</summary>
    public List<string> AllowedNetworks { get; set; } = ["127.0.0.0/8", "::1/128"];

    public AuthFlow Flow { get; set; } = AuthFlow.SingleCall;

    /// <summary>Simultaneous sessions for members without their own limit. 0 means unlimited.</summary>
    [Range(0, 1000)] public int DefaultSimultaneousUse { get; set; } = 1;

    /// <summary>Acct-Interim-Interval sent in every Access-Accept (seconds); 0 sends none.</summary>
    [Range(0, 86400)] public int AcctInterimInterval { get; set; } = 300;

    /// <summary>Session-Timeout sent in every Access-Accept (seconds); 0 sends none.</summary>
    [Range(0, 31_536_000)] public int SessionTimeout { get; set; }

    [Range(1024, 1024 * 1024)] public int MaxBodyBytes { get; set; } = 64 * 1024;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var network in AllowedNetworks)
            if (!IPNetwork.TryParse(network, out _))
                yield return new ValidationResult($"'{network}' is not a CIDR network", [nameof(AllowedNetworks)]);
    }

    internal IPNetwork[] ParsedNetworks() => [.. AllowedNetworks.Select(n => IPNetwork.Parse(n))];
}
