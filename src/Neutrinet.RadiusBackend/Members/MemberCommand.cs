using System.Globalization;
using System.Net;
using Neutrinet.RadiusBackend.Directory;

namespace Neutrinet.RadiusBackend.Members;

/// <summary>
/// <c>member add EMAIL [--name NAME] [--password PW] [--ipv4 A.B.C.D] [--ipv6-prefix P/LEN] [--route R]... [--limit N]</c>
/// Creates a member and its first VPN token with the same service the members API uses, and prints
/// <c>member_id=</c>, <c>email=</c> and <c>vpn_token=</c> lines (the token is shown only here).
/// </summary>
internal static class MemberCommand
{
    public static bool Matches(string[] args) => args.Length > 0 && args[0] == "member";

    /// <summary>The command's own arguments are not configuration switches for the web host.</summary>
    public static string[] HostArgs(string[] args) => Matches(args) ? [] : args;

    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        if (args.Length < 3 || args[1] != "add")
        {
            await Console.Error.WriteLineAsync("usage: member add EMAIL [--name NAME] [--password PW] [--ipv4 ADDR] [--ipv6-prefix PREFIX] [--route ROUTE]... [--limit N]");
            return 2;
        }
        string? name = null, password = null, ipv4 = null, ipv6 = null;
        int? limit = null;
        var routes = new List<string>();
        for (var i = 3; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new InvalidMemberInputException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--name": name = Next(); break;
                case "--password": password = Next(); break;
                case "--ipv4": ipv4 = Next(); break;
                case "--ipv6-prefix": ipv6 = Next(); break;
                case "--route": routes.Add(Next()); break;
                case "--limit": limit = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                default:
                    await Console.Error.WriteLineAsync($"unknown option {args[i]}");
                    return 2;
            }
        }
        if (ipv4 is not null && !IPAddress.TryParse(ipv4, out _)) throw new InvalidMemberInputException("--ipv4 is not an address");
        if (ipv6 is not null && !IPNetwork.TryParse(ipv6, out _)) throw new InvalidMemberInputException("--ipv6-prefix is not a prefix");

        var members = services.GetRequiredService<MemberService>();
        try
        {
            var created = await members.CreateAsync(args[2], name, password);
            if (ipv4 is not null || ipv6 is not null || routes.Count > 0 || limit is not null)
                await members.SetRadiusProfileAsync(created.Member, new RadiusProfile(ipv4, ipv6, routes, limit));
            Console.WriteLine($"member_id={created.Member.Id}");
            Console.WriteLine($"email={created.Member.Email}");
            Console.WriteLine($"vpn_token={created.VpnToken.Secret}");
            return 0;
        }
        catch (Exception ex) when (ex is InvalidMemberInputException or MemberAlreadyExistsException or DirectoryUnavailableException
            or System.DirectoryServices.Protocols.DirectoryOperationException)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }
    }
}
