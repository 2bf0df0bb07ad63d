using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Neutrinet.RadiusBackend.Accounting;
using Neutrinet.RadiusBackend.Directory;
using Neutrinet.RadiusBackend.Security;

namespace Neutrinet.RadiusBackend.Caching;

/// <summary>An entry of the in-process cache layer: a member, or the remembered absence of one.</summary>
public abstract class MemoryEntry(long fetchedAtMs)
{
    /// <summary>When LDAP was read (unix ms); an entry found in Redis keeps the age of that read.</summary>
    public long FetchedAtMs { get; } = fetchedAtMs;
}

internal sealed class AbsentMember(long fetchedAtMs) : MemoryEntry(fetchedAtMs);

/// <summary>
/// What a login needs of a member, derived once per directory read. After a reconnect storm the process holds one
/// for every member, so the member id and the tokens (id, suspension, decoded <c>{SSHA512}</c> digest and salt, and the
/// keyed tag of a secret already verified) are packed into one byte array and the framed addresses kept as numbers;
/// display name, labels, dates and hash text stay in LDAP and Redis. About 0.37 KiB per member with its key, against
/// 2.4 KiB for the whole entry.
/// </summary>
public sealed class CachedMember : MemoryEntry
{
    static readonly TimeSpan UseRecordResolution = TimeSpan.FromMinutes(1);
    const byte SuspendedFlag = 1;
    const byte VerifiedFlag = 2;

    // [u16 id length][member id, UTF-8][u16 token count], then per token:
    // [u8 flags][verified tag, 16 bytes][u16 id length][token id, UTF-8][u16 hash length][SHA512(secret‖salt) ‖ salt]
    const int DefaultLimit = -1;
    readonly byte[] _packed;
    readonly int _simultaneousUse;
    long _useRecordedAtMs;
    int _useRecordedToken = -1;

    CachedMember(byte[] packed, bool suspended, int? simultaneousUse, FramedAddresses addresses,
        RadiusProfile? irregularProfile, long fetchedAtMs) : base(fetchedAtMs)
    {
        _packed = packed;
        Suspended = suspended;
        _simultaneousUse = simultaneousUse ?? DefaultLimit;
        Addresses = addresses;
        IrregularProfile = irregularProfile;
    }

    /// <summary>The member's opaque LDAP id (a new string on each call: it is packed).</summary>
    public string Id => Encoding.UTF8.GetString(_packed, 2, ReadUInt16(0));

    public bool Suspended { get; }

    /// <summary>The member's own session limit; null means the configured default.</summary>
    public int? SimultaneousUse => _simultaneousUse == DefaultLimit ? null : _simultaneousUse;

    /// <summary>The static IPv4 and IPv6 prefix; meaningful only when <see cref="IrregularProfile"/> is null.</summary>
    public FramedAddresses Addresses { get; }

    /// <summary>The reply attributes as read, kept only for the rare member whose attributes the compact
    /// <see cref="Addresses"/> cannot reproduce exactly (routes, non-canonical addresses).</summary>
    public RadiusProfile? IrregularProfile { get; }

    // The member's open sessions as last read, kept here rather than in a second per-member table (SessionStore decides
    // whether they are still current). The usual answer, none, is kept as the time of that read alone: no object per
    // member. A reader that misses a concurrent update gets an older read, which SessionStore then finds out of date.
    SessionsBox? _openSessions;
    long _noOpenSessionsReadAtMs;

    public bool TryGetOpenSessions(out OpenSessionsSnapshot snapshot)
    {
        if (Volatile.Read(ref _openSessions) is { } box)
        {
            snapshot = box.Snapshot;
            return true;
        }
        var readAtMs = Volatile.Read(ref _noOpenSessionsReadAtMs);
        snapshot = new OpenSessionsSnapshot([], readAtMs);
        return readAtMs != 0;
    }

    public void SetOpenSessions(OpenSessionsSnapshot snapshot)
    {
        if (snapshot.Sessions.Length > 0)
        {
            Volatile.Write(ref _openSessions, new SessionsBox(snapshot));
            return;
        }
        Volatile.Write(ref _noOpenSessionsReadAtMs, snapshot.ReadStartedAtMs);
        Volatile.Write(ref _openSessions, null);
    }

    sealed class SessionsBox(OpenSessionsSnapshot snapshot)
    {
        public OpenSessionsSnapshot Snapshot { get; } = snapshot;
    }

    /// <summary>Tokens whose stored hash could be decoded; one that cannot is as good as absent.</summary>
    public int TokenCount => ReadUInt16(TokensStart - 2);

    public static CachedMember From(LoginEntry member, long fetchedAtMs)
    {
        var tokens = new List<(string Id, byte[] DigestThenSalt, bool Suspended)>(member.Tokens.Count);
        foreach (var token in member.Tokens)
            if (VpnTokens.TryDecodeLdapValue(token.PasswordHash, out var digestThenSalt))
                tokens.Add((token.Id, digestThenSalt, token.Suspended));

        var size = 2 + Encoding.UTF8.GetByteCount(member.Id) + 2;
        foreach (var (id, hash, _) in tokens) size += 1 + VpnTokens.TagBytes + 2 + Encoding.UTF8.GetByteCount(id) + 2 + hash.Length;
        var packed = new byte[size];
        var at = WriteText(packed, 0, member.Id);
        at = WriteUInt16(packed, at, tokens.Count);
        foreach (var (id, hash, suspended) in tokens)
        {
            packed[at++] = suspended ? SuspendedFlag : (byte)0;
            at += VpnTokens.TagBytes;
            at = WriteText(packed, at, id);
            at = WriteUInt16(packed, at, hash.Length);
            hash.CopyTo(packed, at);
            at += hash.Length;
        }

        var regular = FramedAddresses.TryCreate(member.Radius, out var addresses);
        return new CachedMember(packed, member.Suspended, member.Radius.SimultaneousUse, addresses,
            regular ? null : member.Radius, fetchedAtMs);
    }

    /// <summary>
    /// Checks a presented secret against every token, without stopping at the first match (constant time in the number
    /// of tokens); returns the matching token's index or -1. A secret that matched its token's SSHA512 once leaves its
    /// keyed tag (<see cref="VpnTokens.Tag"/>) in this entry, so the next logins of the member compare tags and skip the
    /// SHA-512. The tag is only ever written after a verification against the hash this entry was built with, and
    /// leaves with the entry: a changed, revoked or suspended token comes with a new entry from the directory.
    /// </summary>
    public int MatchToken(ReadOnlySpan<byte> presentedUtf8)
    {
        Span<byte> tag = stackalloc byte[VpnTokens.TagBytes];
        VpnTokens.Tag(presentedUtf8, tag);
        var matched = -1;
        var at = TokensStart;
        for (var i = 0; i < TokenCount; i++)
        {
            var verified = (Volatile.Read(ref _packed[at]) & VerifiedFlag) != 0;
            if (CryptographicOperations.FixedTimeEquals(tag, _packed.AsSpan(at + 1, VpnTokens.TagBytes)) & verified) matched = i;
            at = NextToken(at);
        }
        if (matched >= 0) return matched;

        var matchedAt = -1;
        at = TokensStart;
        for (var i = 0; i < TokenCount; i++)
        {
            var hashAt = at + 1 + VpnTokens.TagBytes;
            hashAt += 2 + ReadUInt16(hashAt);
            if (VpnTokens.Matches(presentedUtf8, _packed.AsSpan(hashAt + 2, ReadUInt16(hashAt))))
            {
                matched = i;
                matchedAt = at;
            }
            at = NextToken(at);
        }
        if (matched >= 0)
        {
            // Concurrent verifications of one token write the same bytes; the flag is published after them.
            tag.CopyTo(_packed.AsSpan(matchedAt + 1, VpnTokens.TagBytes));
            Volatile.Write(ref _packed[matchedAt], (byte)(_packed[matchedAt] | VerifiedFlag));
        }
        return matched;
    }

    public bool IsTokenSuspended(int index) => (_packed[TokenOffset(index)] & SuspendedFlag) != 0;

    public string TokenId(int index)
    {
        var at = TokenOffset(index) + 1 + VpnTokens.TagBytes;
        return Encoding.UTF8.GetString(_packed, at + 2, ReadUInt16(at));
    }

    /// <summary>
    /// Whether an accepted login with this token should be recorded as its last use: at most once a minute per token,
    /// so a warm login queues no write. A race between two logins only records one use twice.
    /// </summary>
    public bool ShouldRecordUse(int token, long nowMs)
    {
        if (token == _useRecordedToken && nowMs - _useRecordedAtMs < UseRecordResolution.TotalMilliseconds) return false;
        _useRecordedAtMs = nowMs;
        _useRecordedToken = token;
        return true;
    }

    int TokensStart => 2 + ReadUInt16(0) + 2;

    int TokenOffset(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, TokenCount);
        var at = TokensStart;
        for (var i = 0; i < index; i++) at = NextToken(at);
        return at;
    }

    int NextToken(int at)
    {
        at += 1 + VpnTokens.TagBytes;
        at += 2 + ReadUInt16(at);
        return at + 2 + ReadUInt16(at);
    }

    int ReadUInt16(int at) => BinaryPrimitives.ReadUInt16LittleEndian(_packed.AsSpan(at, 2));

    static int WriteUInt16(byte[] packed, int at, int value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(packed.AsSpan(at, 2), checked((ushort)value));
        return at + 2;
    }

    static int WriteText(byte[] packed, int at, string text)
    {
        var written = Encoding.UTF8.GetBytes(text, packed.AsSpan(at + 2));
        return WriteUInt16(packed, at, written) + written;
    }
}
