using System.DirectoryServices.Protocols;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Neutrinet.RadiusBackend.Concurrency;
using Neutrinet.RadiusBackend.Observability;
using Neutrinet.RadiusBackend.Security;

namespace Neutrinet.RadiusBackend.Directory;

/// <summary>
/// Member and VPN-token entries in LDAP. This (with <see cref="TokenOwnerMigration"/>, which upgrades token entries
/// of the older layout) is the only code that knows the directory's layout; everything else speaks
/// <see cref="MemberEntry"/>.
/// </summary>
public sealed partial class MemberDirectory
{
    /// <summary>Enough to amortise a round trip; small enough that the filter stays short (~1.5 KiB).</summary>
    const int MaxLoginBatch = 32;

    static readonly string[] MemberAttributes =
    [
        "uid", "mail", "cn", "displayName", "neutrinetSuspended", "neutrinetFramedIPAddress",
        "neutrinetFramedIPv6Prefix", "neutrinetFramedRoute", "neutrinetSimultaneousUse",
    ];
    static readonly string[] TokenAttributes = ["cn", "description", "userPassword", "createTimestamp", "neutrinetSuspended"];
    static readonly string[] LoginMemberAttributes =
    [
        "uid", "mail", "neutrinetSuspended", "neutrinetFramedIPAddress", "neutrinetFramedIPv6Prefix", "neutrinetFramedRoute",
        "neutrinetSimultaneousUse",
    ];
    static readonly string[] LoginTokenAttributes = ["cn", "uid", "userPassword", "neutrinetSuspended"];

    static readonly Prometheus.Histogram.Child LdapBatchSizes = BackendMetrics.LoginReadBatchSize.WithLabels("ldap");
    readonly LdapConnectionPool _pool;
    readonly LdapOptions _options;
    readonly BatchedReads<string, LoginEntry?> _logins;
    volatile bool _tokensCarryOwner;

    public MemberDirectory(LdapConnectionPool pool, IOptions<LdapOptions> options)
    {
        _pool = pool;
        _options = options.Value;
        _logins = new(emails => pool.RunAsync("find_login", c => ReadLogins(c, emails)), MaxLoginBatch,
            Math.Min(_options.LoginReadConcurrency, _options.PoolSize), size => LdapBatchSizes.Observe(size));
    }

    /// <summary>
    /// Every token entry carries its member's id in <c>uid</c> (auxiliary class <c>uidObject</c>), so one search finds
    /// the tokens of a whole batch of members. Set once <see cref="TokenOwnerMigration"/> has checked the directory.
    /// </summary>
    public bool TokensCarryOwner
    {
        get => _tokensCarryOwner;
        internal set => _tokensCarryOwner = value;
    }
    TimeSpan WriteTimeout => _options.WriteTimeout;

    public static bool IsValidMemberId(string id) => MemberIdPattern().IsMatch(id);
    public static bool IsValidTokenId(string id) => TokenIdPattern().IsMatch(id);

    public Task<MemberEntry?> FindByEmailAsync(string email, CancellationToken ct = default) =>
        _pool.RunAsync("find_member", c => FindOne(c, MemberByMailFilter(email)), ct);

    /// <summary>
    /// The member with this email as a login needs it (only the attributes a login uses). Concurrent calls are
    /// batched: during a reconnect storm up to 32 members share two searches (5-6 in the benchmark's storm).
    /// </summary>
    public Task<LoginEntry?> FindLoginByEmailAsync(string email) => _logins.ReadAsync(email);

    public Task<MemberEntry?> FindByIdAsync(string memberId, CancellationToken ct = default) =>
        IsValidMemberId(memberId)
            ? _pool.RunAsync("find_member", c => FindOne(c, $"(&(objectClass=neutrinetMember)(uid={memberId}))"), ct)
            : Task.FromResult<MemberEntry?>(null);

    public Task<MemberEntry> CreateAsync(NewMember member, IssuedVpnToken? firstToken, string tokenLabel, CancellationToken ct = default)
    {
        var id = "m" + Base32.Encode(RandomNumberGenerator.GetBytes(10));
        return _pool.RunAsync("create_member", WriteTimeout, c =>
        {
            var add = new AddRequest(MemberDn(id),
                new DirectoryAttribute("objectClass", "inetOrgPerson", "neutrinetMember"),
                new DirectoryAttribute("uid", id),
                new DirectoryAttribute("mail", member.Email),
                new DirectoryAttribute("cn", member.DisplayName),
                new DirectoryAttribute("sn", member.DisplayName),
                new DirectoryAttribute("displayName", member.DisplayName));
            if (member.PasswordHash is not null) add.Attributes.Add(new DirectoryAttribute("userPassword", member.PasswordHash));
            try { c.SendRequest(add); }
            catch (DirectoryOperationException e) when (e.Response?.ResultCode is ResultCode.ConstraintViolation or ResultCode.EntryAlreadyExists)
            {
                // slapd's unique overlay keeps mail unique even between two racing registrations.
                throw new MemberAlreadyExistsException("A member with this email already exists");
            }
            if (firstToken is not null) AddToken(c, id, firstToken, tokenLabel, suspended: false);
            return FindOne(c, $"(&(objectClass=neutrinetMember)(uid={id}))")
                ?? throw new SuspectSessionException("created member not readable");
        }, ct);
    }

    public Task AddTokenAsync(string memberId, IssuedVpnToken token, string label, CancellationToken ct = default) =>
        Guard(memberId) ?? _pool.RunAsync("add_token", WriteTimeout, c =>
        {
            var member = FindOne(c, $"(&(objectClass=neutrinetMember)(uid={memberId}))")
                ?? throw new MemberNotFoundException("No such member");
            AddToken(c, memberId, token, label, member.Suspended);
            return true;
        }, ct);

    public Task<bool> RemoveTokenAsync(string memberId, string tokenId, CancellationToken ct = default) =>
        !IsValidMemberId(memberId) || !IsValidTokenId(tokenId)
            ? Task.FromResult(false)
            : _pool.RunAsync("remove_token", WriteTimeout, c => TryDelete(c, TokenDn(memberId, tokenId)), ct);

    /// <summary>Suspension is written on the member and each of its tokens: slapd's ACL then refuses binds with any of them.</summary>
    public Task SetSuspendedAsync(string memberId, bool suspended, CancellationToken ct = default) =>
        Guard(memberId) ?? _pool.RunAsync("suspend_member", WriteTimeout, c =>
        {
            var member = FindOne(c, $"(&(objectClass=neutrinetMember)(uid={memberId}))")
                ?? throw new MemberNotFoundException("No such member");
            var value = suspended ? "TRUE" : "FALSE";
            c.SendRequest(new ModifyRequest(MemberDn(memberId), DirectoryAttributeOperation.Replace, "neutrinetSuspended", value));
            foreach (var token in member.Tokens)
                c.SendRequest(new ModifyRequest(TokenDn(memberId, token.Id), DirectoryAttributeOperation.Replace, "neutrinetSuspended", value));
            return true;
        }, ct);

    public Task UpdateRadiusProfileAsync(string memberId, RadiusProfile profile, CancellationToken ct = default) =>
        Guard(memberId) ?? _pool.RunAsync("update_member", WriteTimeout, c =>
        {
            var modify = new ModifyRequest(MemberDn(memberId));
            Replace(modify, "neutrinetFramedIPAddress", profile.FramedIpAddress);
            Replace(modify, "neutrinetFramedIPv6Prefix", profile.FramedIpv6Prefix);
            Replace(modify, "neutrinetFramedRoute", [.. profile.FramedRoutes]);
            Replace(modify, "neutrinetSimultaneousUse", profile.SimultaneousUse?.ToString(CultureInfo.InvariantCulture));
            SendModify(c, modify);
            return true;
        }, ct);

    public Task UpdateAccountAsync(string memberId, string? email, string? displayName, string? passwordHash, CancellationToken ct = default) =>
        Guard(memberId) ?? _pool.RunAsync("update_member", WriteTimeout, c =>
        {
            var modify = new ModifyRequest(MemberDn(memberId));
            if (email is not null) Replace(modify, "mail", email);
            if (displayName is not null) { Replace(modify, "cn", displayName); Replace(modify, "displayName", displayName); }
            if (passwordHash is not null) Replace(modify, "userPassword", passwordHash);
            try { SendModify(c, modify); }
            catch (DirectoryOperationException e) when (e.Response?.ResultCode is ResultCode.ConstraintViolation)
            {
                throw new MemberAlreadyExistsException("A member with this email already exists");
            }
            return true;
        }, ct);

    /// <summary>Reads a member's stored password value (for the member's own log-in); null when unknown.</summary>
    public Task<(MemberEntry Member, string? PasswordHash)?> FindCredentialsByEmailAsync(string email, CancellationToken ct = default) =>
        _pool.RunAsync<(MemberEntry, string?)?>("find_credentials", c =>
        {
            var filter = $"(&(objectClass=neutrinetMember)(mail={LdapEscaping.FilterValue(email)}))";
            var entry = SearchMember(c, filter, [.. MemberAttributes, "userPassword"]);
            if (entry is null) return null;
            return (ReadMember(c, entry), FirstString(entry, "userPassword"));
        }, ct);

    /// <summary>The member linked to an external identity (<c>neutrinetExternalId</c>, exact match); null when none.</summary>
    public Task<MemberEntry?> FindByExternalIdAsync(string externalId, CancellationToken ct = default) =>
        _pool.RunAsync("find_member", c => FindOne(c,
            $"(&(objectClass=neutrinetMember)(neutrinetExternalId={LdapEscaping.FilterValue(externalId)}))"), ct);

    /// <summary>Links an external identity to a member (a second link to the same value is a no-op).</summary>
    public Task AddExternalIdAsync(string memberId, string externalId, CancellationToken ct = default) =>
        Guard(memberId) ?? _pool.RunAsync("link_external_id", c =>
        {
            try { SendModify(c, new ModifyRequest(MemberDn(memberId), DirectoryAttributeOperation.Add, "neutrinetExternalId", externalId)); }
            catch (DirectoryOperationException e) when (e.Response?.ResultCode == ResultCode.AttributeOrValueExists)
            {
                // already linked
            }
            return true;
        }, ct);

    /// <summary>OpenLDAP has no tree-delete: tokens go first, then the member.</summary>
    public Task<bool> DeleteAsync(string memberId, CancellationToken ct = default) =>
        !IsValidMemberId(memberId)
            ? Task.FromResult(false)
            : _pool.RunAsync("delete_member", WriteTimeout, c =>
            {
                var member = FindOne(c, $"(&(objectClass=neutrinetMember)(uid={memberId}))");
                if (member is null) return false;
                foreach (var token in member.Tokens) TryDelete(c, TokenDn(memberId, token.Id));
                return TryDelete(c, MemberDn(memberId));
            }, ct);

    /// <summary>The cn of every groupOfNames in ou=groups that lists the member.</summary>
    public Task<IReadOnlyList<string>> GetGroupsAsync(string memberId, CancellationToken ct = default) =>
        !IsValidMemberId(memberId)
            ? Task.FromResult<IReadOnlyList<string>>([])
            : _pool.RunAsync<IReadOnlyList<string>>("member_groups", c =>
            {
                var filter = $"(&(objectClass=groupOfNames)(member={LdapEscaping.FilterValue(MemberDn(memberId))}))";
                var response = (SearchResponse)c.SendRequest(new SearchRequest(_options.GroupsDn, filter, SearchScope.OneLevel, "cn"));
                return [.. response.Entries.Cast<SearchResultEntry>().Select(e => FirstString(e, "cn")).OfType<string>()];
            }, ct);

    /// <summary>Adds or removes the member in a group that already exists (groups are created by operators).</summary>
    public Task<bool> SetGroupMembershipAsync(string memberId, string group, bool member, CancellationToken ct = default) =>
        Guard(memberId) is { } invalid ? invalid.ContinueWith(_ => false, ct, TaskContinuationOptions.None, TaskScheduler.Default)
            : _pool.RunAsync("group_membership", WriteTimeout, c =>
            {
                var groupDn = $"cn={LdapEscaping.DnValue(group)},{_options.GroupsDn}";
                var operation = member ? DirectoryAttributeOperation.Add : DirectoryAttributeOperation.Delete;
                try
                {
                    c.SendRequest(new ModifyRequest(groupDn, operation, "member", MemberDn(memberId)));
                    return true;
                }
                catch (DirectoryOperationException e) when (e.Response?.ResultCode is ResultCode.AttributeOrValueExists
                    or ResultCode.NoSuchAttribute)
                {
                    return true; // already in the requested state
                }
                catch (DirectoryOperationException e) when (e.Response?.ResultCode == ResultCode.NoSuchObject)
                {
                    return false; // no such group
                }
            }, ct);

    /// <summary>Members whose mail or name contains the text, sorted by mail; at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<MemberEntry>> SearchAsync(string text, int limit, CancellationToken ct = default) =>
        _pool.RunAsync<IReadOnlyList<MemberEntry>>("search_members", c =>
        {
            var escaped = LdapEscaping.FilterValue(text);
            var filter = text.Length == 0
                ? "(objectClass=neutrinetMember)"
                : $"(&(objectClass=neutrinetMember)(|(mail=*{escaped}*)(cn=*{escaped}*)))";
            var request = new SearchRequest(_options.PeopleDn, filter, SearchScope.OneLevel, MemberAttributes) { SizeLimit = limit };
            SearchResponse response;
            try { response = (SearchResponse)c.SendRequest(request); }
            catch (DirectoryOperationException e) when (e.Response is SearchResponse partial && e.Response.ResultCode == ResultCode.SizeLimitExceeded)
            {
                response = partial;
            }
            return [.. response.Entries.Cast<SearchResultEntry>().Select(e => ReadMember(c, e)).OrderBy(m => m.Email, StringComparer.Ordinal)];
        }, ct);

    /// <summary>A cheap authenticated round trip for readiness checks.</summary>
    public Task<bool> PingAsync(CancellationToken ct = default) =>
        _pool.RunAsync("ping", c =>
        {
            var request = new SearchRequest(_options.PeopleDn, "(objectClass=*)", SearchScope.Base, "1.1");
            try { c.SendRequest(request); }
            catch (DirectoryOperationException e) when (e.Response?.ResultCode == ResultCode.NoSuchObject)
            {
                throw new SuspectSessionException("people base not visible: session not bound");
            }
            return true;
        }, ct);

    /// <summary>Ids reach filters and DNs unescaped only after this check.</summary>
    static Task? Guard(string memberId) =>
        IsValidMemberId(memberId) ? null : Task.FromException(new MemberNotFoundException("No such member"));

    string MemberDn(string memberId) => $"uid={LdapEscaping.DnValue(memberId)},{_options.PeopleDn}";
    string TokenDn(string memberId, string tokenId) => $"cn={LdapEscaping.DnValue(tokenId)},{MemberDn(memberId)}";

    void AddToken(LdapConnection c, string memberId, IssuedVpnToken token, string label, bool suspended)
    {
        var add = new AddRequest(TokenDn(memberId, token.TokenId),
            new DirectoryAttribute("objectClass", "applicationProcess", "simpleSecurityObject", "uidObject", "neutrinetVpnToken"),
            new DirectoryAttribute("cn", token.TokenId),
            new DirectoryAttribute("uid", memberId),
            new DirectoryAttribute("description", label),
            new DirectoryAttribute("userPassword", token.LdapPasswordValue));
        if (suspended) add.Attributes.Add(new DirectoryAttribute("neutrinetSuspended", "TRUE"));
        c.SendRequest(add);
    }

    LoginEntry?[] ReadLogins(LdapConnection c, string[] emails)
    {
        var members = new SearchResultEntry?[emails.Length];
        if (emails.Length == 1)
        {
            members[0] = SearchMember(c, MemberByMailFilter(emails[0]), LoginMemberAttributes);
        }
        else
        {
            var filter = new StringBuilder("(&(objectClass=neutrinetMember)(|");
            foreach (var email in emails) filter.Append("(mail=").Append(LdapEscaping.FilterValue(email)).Append(')');
            filter.Append("))");
            // mail is an IA5 (ASCII) attribute matched without case, so answers map back with ASCII case folding.
            // As for a single lookup, an address held by two entries finds nobody.
            var matches = new int[emails.Length];
            foreach (SearchResultEntry entry in SearchMembers(c, filter.ToString(), LoginMemberAttributes))
            {
                var mails = AllStrings(entry, "mail");
                for (var i = 0; i < emails.Length; i++)
                {
                    if (!HasMail(mails, emails[i])) continue;
                    members[i] = entry;
                    matches[i]++;
                }
            }
            for (var i = 0; i < emails.Length; i++)
                if (matches[i] > 1) members[i] = null;
        }

        var tokens = new List<LoginToken>?[emails.Length];
        var withOwnerSearch = TokensCarryOwner && members.Count(m => m is not null) > 1;
        if (withOwnerSearch) FindTokensByOwner(c, members, tokens);
        var logins = new LoginEntry?[emails.Length];
        for (var i = 0; i < emails.Length; i++)
        {
            if (members[i] is not { } member) continue;
            // A member none of whose tokens carries its id yet (written by an older version) is read the long way.
            var memberTokens = tokens[i] ?? FindTokensBelow(c, member.DistinguishedName);
            logins[i] = new LoginEntry(FirstString(member, "uid") ?? "", IsTrue(FirstString(member, "neutrinetSuspended")),
                ReadRadiusProfile(member), memberTokens);
        }
        return logins;
    }

    void FindTokensByOwner(LdapConnection c, SearchResultEntry?[] members, List<LoginToken>?[] tokens)
    {
        var byId = new Dictionary<string, int>(StringComparer.Ordinal);
        var filter = new StringBuilder("(&(objectClass=neutrinetVpnToken)(|");
        for (var i = 0; i < members.Length; i++)
        {
            if (members[i] is null || FirstString(members[i]!, "uid") is not { } id || !IsValidMemberId(id)) continue;
            if (byId.TryAdd(id, i)) filter.Append("(uid=").Append(id).Append(')');
        }
        filter.Append("))");
        var response = (SearchResponse)c.SendRequest(new SearchRequest(_options.PeopleDn, filter.ToString(), SearchScope.Subtree,
            LoginTokenAttributes));
        foreach (SearchResultEntry t in response.Entries)
        {
            // The owner is the parent entry; a uid value anywhere else in the tree grants nothing.
            if (FirstString(t, "uid") is not { } owner || !byId.TryGetValue(owner, out var i)
                || !IsChildOf(t.DistinguishedName, members[i]!.DistinguishedName)) continue;
            (tokens[i] ??= []).Add(ReadLoginToken(t));
        }
    }

    static List<LoginToken> FindTokensBelow(LdapConnection c, string memberDn)
    {
        var response = (SearchResponse)c.SendRequest(new SearchRequest(memberDn, "(objectClass=neutrinetVpnToken)",
            SearchScope.OneLevel, LoginTokenAttributes));
        var tokens = new List<LoginToken>(response.Entries.Count);
        foreach (SearchResultEntry t in response.Entries) tokens.Add(ReadLoginToken(t));
        return tokens;
    }

    static LoginToken ReadLoginToken(SearchResultEntry t) =>
        new(FirstString(t, "cn") ?? "", FirstString(t, "userPassword") ?? "", IsTrue(FirstString(t, "neutrinetSuspended")));

    /// <summary>True when <paramref name="dn"/> is one RDN below <paramref name="parentDn"/> (as slapd spells both).</summary>
    internal static bool IsChildOf(string dn, string parentDn)
    {
        if (dn.Length <= parentDn.Length + 1 || dn[^(parentDn.Length + 1)] != ','
            || !dn.EndsWith(parentDn, StringComparison.OrdinalIgnoreCase)) return false;
        var rdn = dn.AsSpan(0, dn.Length - parentDn.Length - 1);
        for (var i = 0; i < rdn.Length; i++)
        {
            if (rdn[i] == '\\') i++;
            else if (rdn[i] == ',') return false;
        }
        return true;
    }

    static bool HasMail(string[] mails, string email)
    {
        foreach (var mail in mails)
            if (Ascii.EqualsIgnoreCase(mail, email)) return true;
        return false;
    }

    static string MemberByMailFilter(string email) => $"(&(objectClass=neutrinetMember)(mail={LdapEscaping.FilterValue(email)}))";

    MemberEntry? FindOne(LdapConnection c, string filter)
    {
        var entry = SearchMember(c, filter, MemberAttributes);
        return entry is null ? null : ReadMember(c, entry);
    }

    SearchResultEntry? SearchMember(LdapConnection c, string filter, string[] attributes)
    {
        var entries = SearchMembers(c, filter, attributes);
        return entries.Count == 1 ? entries[0] : null;
    }

    SearchResultEntryCollection SearchMembers(LdapConnection c, string filter, string[] attributes)
    {
        try
        {
            return ((SearchResponse)c.SendRequest(new SearchRequest(_options.PeopleDn, filter, SearchScope.OneLevel, attributes))).Entries;
        }
        catch (DirectoryOperationException e) when (e.Response?.ResultCode == ResultCode.NoSuchObject)
        {
            // ou=people always exists; "no such object" means the ACL sees us as anonymous (libldap reconnected unbound).
            throw new SuspectSessionException("people base not visible: session not bound");
        }
    }

    MemberEntry ReadMember(LdapConnection c, SearchResultEntry entry)
    {
        var id = FirstString(entry, "uid") ?? "";
        var tokens = (SearchResponse)c.SendRequest(new SearchRequest(entry.DistinguishedName,
            "(objectClass=neutrinetVpnToken)", SearchScope.OneLevel, TokenAttributes));
        var tokenList = new List<VpnTokenEntry>(tokens.Entries.Count);
        foreach (SearchResultEntry t in tokens.Entries)
        {
            tokenList.Add(new VpnTokenEntry(
                FirstString(t, "cn") ?? "",
                FirstString(t, "description") ?? "",
                ParseGeneralizedTime(FirstString(t, "createTimestamp")),
                FirstString(t, "userPassword") ?? "",
                IsTrue(FirstString(t, "neutrinetSuspended"))));
        }
        return new MemberEntry(
            id,
            FirstString(entry, "mail") ?? "",
            FirstString(entry, "displayName") ?? FirstString(entry, "cn") ?? "",
            IsTrue(FirstString(entry, "neutrinetSuspended")),
            ReadRadiusProfile(entry),
            tokenList);
    }

    static RadiusProfile ReadRadiusProfile(SearchResultEntry entry) => new(
        FirstString(entry, "neutrinetFramedIPAddress"),
        FirstString(entry, "neutrinetFramedIPv6Prefix"),
        AllStrings(entry, "neutrinetFramedRoute"),
        int.TryParse(FirstString(entry, "neutrinetSimultaneousUse"), NumberStyles.None, CultureInfo.InvariantCulture, out var limit) ? limit : null);

    static bool TryDelete(LdapConnection c, string dn)
    {
        try
        {
            c.SendRequest(new DeleteRequest(dn));
            return true;
        }
        catch (DirectoryOperationException e) when (e.Response?.ResultCode == ResultCode.NoSuchObject)
        {
            return false;
        }
    }

    static void SendModify(LdapConnection c, ModifyRequest modify)
    {
        if (modify.Modifications.Count == 0) return;
        try { c.SendRequest(modify); }
        catch (DirectoryOperationException e) when (e.Response?.ResultCode == ResultCode.NoSuchObject)
        {
            throw new MemberNotFoundException("No such member");
        }
    }

    static void Replace(ModifyRequest modify, string attribute, params string?[] values)
    {
        var present = values.Where(v => !string.IsNullOrEmpty(v)).Cast<object>().ToArray();
        var modification = new DirectoryAttributeModification { Name = attribute, Operation = DirectoryAttributeOperation.Replace };
        foreach (var v in present) modification.Add((string)v);
        modify.Modifications.Add(modification);
    }

    static string? FirstString(SearchResultEntry entry, string attribute)
    {
        if (!entry.Attributes.Contains(attribute)) return null;
        var values = entry.Attributes[attribute].GetValues(typeof(string));
        return values.Length > 0 ? (string)values[0] : null;
    }

    static string[] AllStrings(SearchResultEntry entry, string attribute) =>
        entry.Attributes.Contains(attribute) ? [.. entry.Attributes[attribute].GetValues(typeof(string)).Cast<string>()] : [];

    static bool IsTrue(string? value) => string.Equals(value, "TRUE", StringComparison.OrdinalIgnoreCase);

    static DateTimeOffset ParseGeneralizedTime(string? value) =>
        value is not null && DateTimeOffset.TryParseExact(value, "yyyyMMddHHmmss'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal, out var t) ? t : DateTimeOffset.UnixEpoch;

    [GeneratedRegex("^m[a-z2-7]{16}$")] private static partial Regex MemberIdPattern();
    [GeneratedRegex("^t[a-z2-7]{13}$")] private static partial Regex TokenIdPattern();
}
