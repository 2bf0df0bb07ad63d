using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Neutrinet.RadiusBackend.Directory;

namespace Neutrinet.RadiusBackend.Members;

/// <summary>What the downloadable client profile needs. Both are optional at start-up: until they are set the
/// download answers 503 naming the missing key.</summary>
public sealed class OpenVpnOptions
{
    /// <summary>Host name or address of the VPN server (the profile's <c>remote</c> line).</summary>
    public string? ServerAddress { get; set; }

    /// <summary>PEM file of the CA that signed the server certificate (pki/ca.crt), embedded in the profile.</summary>
    public string? CaCertificateFile { get; set; }
}

/// <summary>
/// The member's ready-to-use OpenVPN profile: openvpn/client.ovpn.template (embedded at build) with the server address
/// and the CA filled in. It holds nothing secret: the member logs in with their email and a VPN token (auth-user-pass).
/// </summary>
internal static class OpenVpnProfile
{
    static readonly Lazy<string> Template = new(() =>
    {
        using var stream = typeof(OpenVpnProfile).Assembly.GetManifestResourceStream("Neutrinet.RadiusBackend.client.ovpn.template")
            ?? throw new InvalidOperationException("client.ovpn.template is not embedded");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    });

    public static async Task<Results<FileContentHttpResult, NotFound, ProblemHttpResult>> Download(ClaimsPrincipal user,
        MemberDirectory directory, IOptions<OpenVpnOptions> options, CancellationToken ct)
    {
        var member = await MembersApi.CurrentAsync(user, directory, ct);
        if (member is null) return TypedResults.NotFound();
        var o = options.Value;
        if (string.IsNullOrWhiteSpace(o.ServerAddress) || o.ServerAddress.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            return NotConfigured("OpenVpn:ServerAddress");
        string ca;
        try { ca = string.IsNullOrWhiteSpace(o.CaCertificateFile) ? "" : (await File.ReadAllTextAsync(o.CaCertificateFile, ct)).Trim(); }
        catch (IOException) { ca = ""; }
        catch (UnauthorizedAccessException) { ca = ""; }
        if (!ca.StartsWith("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)) return NotConfigured("OpenVpn:CaCertificateFile");

        var profile = Render(o.ServerAddress.Trim(), ca, member.Email);
        return TypedResults.File(Encoding.UTF8.GetBytes(profile), "application/x-openvpn-profile", "neutrinet.ovpn");
    }

    internal static string Render(string server, string ca, string email)
    {
        var lines = Template.Value.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n')
            .Select(line => line.Trim() == "{{CA}}" ? ca : line.Replace("{{SERVER}}", server, StringComparison.Ordinal));
        return $"# Profile for {email}: user name = this email, password = one of your VPN tokens.\n" + string.Join('\n', lines);
    }

    static ProblemHttpResult NotConfigured(string key) => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "The VPN profile is not available yet", detail: $"The operator has not configured {key}.");
}
