using System.DirectoryServices.Protocols;
using Microsoft.Extensions.Logging.Abstractions;
using Neutrinet.RadiusBackend.Directory;
using Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;
using Neutrinet.RadiusBackend.Observability;
using Neutrinet.RadiusBackend.Security;
using static Neutrinet.RadiusBackend.IntegrationTests.Infrastructure.Radclient;

namespace Neutrinet.RadiusBackend.IntegrationTests;

/// <summary>
/// Cold login reads batched against the real slapd: a storm of first logins shares LDAP round trips, every answer
/// still belongs to the member asked for, and tokens written before they carried their owner keep working.
/// </summary>
public sealed class LoginBatchingTests(Stack stack) : IClassFixture<Stack>
{
    [Fact]
    public async Task Concurrent_login_reads_share_round_trips_and_each_answer_is_the_members_own()
    {
        var members = new List<(string Email, MemberEntry Entry, string[] TokenIds)>();
        for (var i = 0; i < 40; i++)
        {
            var email = Stack.NewEmail("storm");
            var first = VpnTokens.Issue();
            var entry = await stack.Admin.Directory.CreateAsync(new NewMember(email, "Storm Member", null), first, "laptop");
            var tokenIds = new List<string> { first.TokenId };
            if (i % 5 == 0)
            {
                var second = VpnTokens.Issue();
                await stack.Admin.Directory.AddTokenAsync(entry.Id, second, "phone");
                tokenIds.Add(second.TokenId);
            }
            members.Add((email, entry, [.. tokenIds]));
        }
        var unknown = Enumerable.Range(0, 5).Select(_ => Stack.NewEmail("nobody")).ToList();
        var directory = new MemberDirectory(stack.Admin.Pool, stack.Admin.LdapOptions) { TokensCarryOwner = true };
        var batches = BackendMetrics.LoginReadBatchSize.WithLabels("ldap");
        var (countBefore, sumBefore) = (batches.Count, batches.Sum);

        // Upper-case variants too: mail matches without case in LDAP, so the batch must map them back the same way.
        var asked = members.Select(m => m.Email).Concat(unknown).Concat(members.Take(5).Select(m => m.Email.ToUpperInvariant())).ToList();
        var answers = await Task.WhenAll(asked.Select(directory.FindLoginByEmailAsync));

        for (var i = 0; i < members.Count; i++)
        {
            var answer = answers[i];
            Assert.NotNull(answer);
            Assert.Equal(members[i].Entry.Id, answer.Id);
            Assert.Equal(members[i].TokenIds.Order(), answer.Tokens.Select(t => t.Id).Order());
            Assert.All(answer.Tokens, t => Assert.StartsWith("{SSHA512}", t.PasswordHash, StringComparison.Ordinal));
        }
        Assert.All(answers.Skip(members.Count).Take(unknown.Count), Assert.Null);
        for (var i = 0; i < 5; i++) Assert.Equal(members[i].Entry.Id, answers[members.Count + unknown.Count + i]?.Id);

        Assert.Equal(asked.Count, batches.Sum - sumBefore);
        // One connection, one batch in flight: the first read goes alone, the rest queue behind it in batches of <= 32.
        Assert.InRange(batches.Count - countBefore, 2, 10);
    }

    [Fact]
    public async Task Tokens_written_before_they_carried_their_owner_log_in_and_are_migrated_at_start()
    {
        var legacyEmail = Stack.NewEmail("legacy");
        var (legacyMember, legacyToken) = await AddMemberWithLegacyTokenAsync(legacyEmail);
        var currentEmail = Stack.NewEmail("current");
        var current = await stack.Admin.Directory.CreateAsync(new NewMember(currentEmail, "Current Member", null), VpnTokens.Issue(), "laptop");

        // Even a directory that believes the migration done reads a member whose tokens carry no owner the long way.
        var directory = new MemberDirectory(stack.Admin.Pool, stack.Admin.LdapOptions) { TokensCarryOwner = true };
        var beforeMigration = await Task.WhenAll(directory.FindLoginByEmailAsync(legacyEmail), directory.FindLoginByEmailAsync(currentEmail),
            directory.FindLoginByEmailAsync(legacyEmail.ToUpperInvariant()));
        // The first read goes alone; the other two form a batch whose tokens are searched by owner.
        Assert.Equal([legacyToken.TokenId], beforeMigration[0]!.Tokens.Select(t => t.Id));
        Assert.Equal(current.Tokens.Select(t => t.Id), beforeMigration[1]!.Tokens.Select(t => t.Id));
        Assert.Equal([legacyToken.TokenId], beforeMigration[2]!.Tokens.Select(t => t.Id));

        var fresh = new MemberDirectory(stack.Admin.Pool, stack.Admin.LdapOptions);
        using var migration = new TokenOwnerMigration(fresh, stack.Admin.Pool, stack.Admin.LdapOptions, NullLogger<TokenOwnerMigration>.Instance);
        Assert.False(fresh.TokensCarryOwner);
        await migration.StartAsync(CancellationToken.None);
        await migration.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(fresh.TokensCarryOwner);
        var entry = await stack.Ldap.SearchAsync(SlapdServer.ServiceDn, stack.Ldap.ServicePassword, $"(cn={legacyToken.TokenId})", "uid", "objectClass");
        Assert.Contains($"uid: {legacyMember.Id}", entry.Stdout, StringComparison.Ordinal);
        Assert.Contains("objectClass: uidObject", entry.Stdout, StringComparison.Ordinal);
        var afterMigration = await Task.WhenAll(fresh.FindLoginByEmailAsync(legacyEmail), fresh.FindLoginByEmailAsync(currentEmail));
        Assert.Equal([legacyToken.TokenId], afterMigration[0]!.Tokens.Select(t => t.Id));

        // And the running backend lets the member in with it.
        var reply = await AuthAsync(stack.Radius, OpenVpnLogin(legacyEmail, legacyToken.Secret));
        Assert.True(reply.IsAccept, reply.Raw);
    }

    [Fact]
    public async Task A_token_with_another_members_id_grants_nothing_to_that_member()
    {
        var victimEmail = Stack.NewEmail("victim");
        var victim = await stack.Admin.Directory.CreateAsync(new NewMember(victimEmail, "Victim", null), VpnTokens.Issue(), "laptop");
        var otherEmail = Stack.NewEmail("other");
        var other = await stack.Admin.Directory.CreateAsync(new NewMember(otherEmail, "Other", null), null, "");
        var planted = VpnTokens.Issue();
        // A token below another member that claims the victim's id (a hand edit, an import gone wrong).
        await stack.Admin.Pool.RunAsync("test_add_planted_token", c => c.SendRequest(new AddRequest(
            $"cn={planted.TokenId},uid={other.Id},ou=people,{SlapdServer.BaseDn}",
            new DirectoryAttribute("objectClass", "applicationProcess", "simpleSecurityObject", "uidObject", "neutrinetVpnToken"),
            new DirectoryAttribute("cn", planted.TokenId),
            new DirectoryAttribute("uid", victim.Id),
            new DirectoryAttribute("userPassword", planted.LdapPasswordValue))));

        var directory = new MemberDirectory(stack.Admin.Pool, stack.Admin.LdapOptions) { TokensCarryOwner = true };
        // The first read goes alone; the victim and the other member then share a batch searched by owner.
        var answers = await Task.WhenAll(new[] { Stack.NewEmail("first"), victimEmail, otherEmail }
            .Select(directory.FindLoginByEmailAsync));

        Assert.Equal(victim.Tokens.Select(t => t.Id), answers[1]!.Tokens.Select(t => t.Id));
        Assert.Equal([planted.TokenId], answers[2]!.Tokens.Select(t => t.Id));
    }

    [Fact]
    public async Task Two_instances_starting_together_both_finish_the_migration()
    {
        for (var i = 0; i < 60; i++) await AddMemberWithLegacyTokenAsync(Stack.NewEmail("twostart"));

        // Two backends, each with its own connection: both list the same tokens and race to give them their owner.
        using var poolA = new LdapConnectionPool(stack.Admin.LdapOptions, NullLogger<LdapConnectionPool>.Instance);
        using var poolB = new LdapConnectionPool(stack.Admin.LdapOptions, NullLogger<LdapConnectionPool>.Instance);
        var directoryA = new MemberDirectory(poolA, stack.Admin.LdapOptions);
        var directoryB = new MemberDirectory(poolB, stack.Admin.LdapOptions);
        using var migrationA = new TokenOwnerMigration(directoryA, poolA, stack.Admin.LdapOptions, NullLogger<TokenOwnerMigration>.Instance);
        using var migrationB = new TokenOwnerMigration(directoryB, poolB, stack.Admin.LdapOptions, NullLogger<TokenOwnerMigration>.Instance);
        await Task.WhenAll(migrationA.StartAsync(CancellationToken.None), migrationB.StartAsync(CancellationToken.None));
        await Task.WhenAll(migrationA.ExecuteTask!, migrationB.ExecuteTask!).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(directoryA.TokensCarryOwner);
        Assert.True(directoryB.TokensCarryOwner);
        var left = await stack.Ldap.SearchAsync(SlapdServer.ServiceDn, stack.Ldap.ServicePassword,
            "(&(objectClass=neutrinetVpnToken)(!(objectClass=uidObject)))", "1.1");
        Assert.Equal(0, left.ExitCode);
        Assert.DoesNotContain("dn:", left.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pooled_connections_read_ahead_and_answers_larger_than_the_buffer_arrive_whole()
    {
        var marker = "readahead" + Guid.NewGuid().ToString("N")[..8];
        // 100 entries of ~250-300 bytes: the answer spans two 16 KiB read-ahead buffers, and an entry straddles them.
        for (var i = 0; i < 100; i++)
            await stack.Admin.Directory.CreateAsync(new NewMember(Stack.NewEmail(marker), "Read Ahead " + i, null), VpnTokens.Issue(), "laptop");
        var filter = $"(&(objectClass=neutrinetMember)(mail={marker}*))";

        var (pooledReadsAhead, pooled) = await stack.Admin.Pool.RunAsync("test_read_ahead", c =>
            (LdapNative.HasReadAhead(c), SearchDns(c, filter)));
        using var plain = new LdapConnection(new LdapDirectoryIdentifier("127.0.0.1", stack.Admin.LdapOptions.Value.Port),
            new System.Net.NetworkCredential(SlapdServer.ServiceDn, stack.Ldap.ServicePassword), AuthType.Basic) { AutoBind = false };
        plain.SessionOptions.ProtocolVersion = 3;
        plain.Bind();

        Assert.True(pooledReadsAhead);
        Assert.False(LdapNative.HasReadAhead(plain));
        // The same answer read message by message (no read-ahead) and through the buffer.
        var unbuffered = SearchDns(plain, filter);
        Assert.Equal(100, unbuffered.Count);
        Assert.Equal(unbuffered.Order(StringComparer.Ordinal), pooled.Order(StringComparer.Ordinal));
        // Adding the layer twice is a no-op, and the connection still answers.
        Assert.True(LdapNative.TryEnableReadAhead(plain));
        Assert.True(LdapNative.TryEnableReadAhead(plain));
        Assert.Equal(unbuffered.Order(StringComparer.Ordinal), SearchDns(plain, filter).Order(StringComparer.Ordinal));

        static List<string> SearchDns(LdapConnection c, string filter)
        {
            var response = (SearchResponse)c.SendRequest(new SearchRequest($"ou=people,{SlapdServer.BaseDn}", filter,
                SearchScope.Subtree, "uid", "mail", "cn", "userPassword", "objectClass"));
            return [.. response.Entries.Cast<SearchResultEntry>().Select(e => e.DistinguishedName)];
        }
    }

    /// <summary>A member whose one token is in the layout before this version: no uidObject, no uid.</summary>
    async Task<(MemberEntry Member, IssuedVpnToken Token)> AddMemberWithLegacyTokenAsync(string email)
    {
        var member = await stack.Admin.Directory.CreateAsync(new NewMember(email, "Legacy Member", null), null, "");
        var token = VpnTokens.Issue();
        await stack.Admin.Pool.RunAsync("test_add_legacy_token", c => c.SendRequest(new AddRequest(
            $"cn={token.TokenId},uid={member.Id},ou=people,{SlapdServer.BaseDn}",
            new DirectoryAttribute("objectClass", "applicationProcess", "simpleSecurityObject", "neutrinetVpnToken"),
            new DirectoryAttribute("cn", token.TokenId),
            new DirectoryAttribute("userPassword", token.LdapPasswordValue))));
        return (member, token);
    }
}
