using System.DirectoryServices.Protocols;
using Microsoft.Extensions.Options;

namespace Neutrinet.RadiusBackend.Directory;

/// <summary>
/// Gives VPN tokens written before tokens carried their owner (objectClass <c>uidObject</c>, <c>uid</c> = the member's
/// id) that attribute, then lets batched login reads find a batch's tokens with one search. Until it has finished,
/// logins read each member's tokens one level below it, as before. Runs at every start; LDAP being down only delays it.
/// </summary>
public sealed class TokenOwnerMigration(
    MemberDirectory directory,
    LdapConnectionPool pool,
    IOptions<LdapOptions> options,
    ILogger<TokenOwnerMigration> logger) : BackgroundService
{
    const int PageSize = 200;
    readonly LdapOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var migrated = 0;
        var skipped = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var page = await pool.RunAsync("migrate_tokens", _options.WriteTimeout, c => MigratePage(c, skipped), stoppingToken);
                migrated += page.Migrated;
                if (page.Remaining == 0)
                {
                    directory.TokensCarryOwner = skipped.Count == 0;
                    if (migrated > 0) logger.LogInformation("VPN tokens now carry their owner's id: {Count} migrated", migrated);
                    if (skipped.Count > 0)
                        logger.LogWarning("{Count} VPN token entries are not directly below a member; logins read tokens per member", skipped.Count);
                    return;
                }
            }
            catch (DirectoryUnavailableException)
            {
                try { await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
            catch (OperationCanceledException) { return; }
        }
    }

    (int Migrated, int Remaining) MigratePage(LdapConnection c, HashSet<string> skipped)
    {
        var request = new SearchRequest(_options.PeopleDn, "(&(objectClass=neutrinetVpnToken)(!(objectClass=uidObject)))",
            SearchScope.Subtree, "1.1") { SizeLimit = PageSize + skipped.Count };
        SearchResponse response;
        try { response = (SearchResponse)c.SendRequest(request); }
        catch (DirectoryOperationException e) when (e.Response is SearchResponse partial && e.Response.ResultCode == ResultCode.SizeLimitExceeded)
        {
            response = partial;
        }
        var migrated = 0;
        var remaining = 0;
        foreach (SearchResultEntry token in response.Entries)
        {
            if (skipped.Contains(token.DistinguishedName)) continue;
            remaining++;
            if (OwnerOf(token.DistinguishedName) is not { } memberId)
            {
                skipped.Add(token.DistinguishedName);
                continue;
            }
            var modify = new ModifyRequest(token.DistinguishedName, DirectoryAttributeOperation.Add, "objectClass", "uidObject");
            var owner = new DirectoryAttributeModification { Name = "uid", Operation = DirectoryAttributeOperation.Add };
            owner.Add(memberId);
            modify.Modifications.Add(owner);
            try
            {
                c.SendRequest(modify);
                migrated++;
            }
            catch (DirectoryOperationException e) when (e.Response?.ResultCode is ResultCode.NoSuchObject
                or ResultCode.AttributeOrValueExists)
            {
                // Deleted meanwhile, or another instance starting at the same time got there first.
            }
            catch (DirectoryOperationException e) when (e.Response?.ResultCode is not null and not ResultCode.Success
                and not ResultCode.Busy and not ResultCode.Unavailable and not ResultCode.OperationsError)
            {
                logger.LogWarning("VPN token {Dn} could not be given its owner: {Result}", token.DistinguishedName, e.Response.ResultCode);
                skipped.Add(token.DistinguishedName);
            }
        }
        return (migrated, remaining);
    }

    /// <summary>The member id of <c>cn=&lt;token&gt;,uid=&lt;member&gt;,ou=people,...</c>; null for any other place.</summary>
    string? OwnerOf(string tokenDn)
    {
        var suffix = "," + _options.PeopleDn;
        if (!tokenDn.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) return null;
        var rdns = tokenDn[..^suffix.Length];
        var comma = rdns.IndexOf(',');
        if (comma < 0) return null;
        var memberRdn = rdns[(comma + 1)..];
        if (!memberRdn.StartsWith("uid=", StringComparison.OrdinalIgnoreCase)) return null;
        var memberId = memberRdn[4..];
        return MemberDirectory.IsValidMemberId(memberId) && MemberDirectory.IsChildOf(tokenDn, memberRdn + suffix) ? memberId : null;
    }
}
