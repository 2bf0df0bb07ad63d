using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Neutrinet.RadiusBackend.Security;

public sealed class PasswordHashingBusyException() : Exception("Too many password checks at once; retry shortly");

public sealed class PasswordHashingOptions
{
    /// <summary>Argon2id memory in KiB. OWASP's minimum recommendation is 19456 (19 MiB).</summary>
    [Range(8192, 1048576)] public int MemoryKib { get; set; } = 19456;
    [Range(1, 10)] public int Iterations { get; set; } = 2;
    [Range(1, 8)] public int Parallelism { get; set; } = 1;

    /// <summary>Each hash holds MemoryKib of RAM: this caps concurrent hashes so a burst cannot exhaust memory.</summary>
    [Range(1, 64)] public int MaxConcurrentHashes { get; set; } = 2;
}

/// <summary>
/// Argon2id hashes in the PHC string format, stored in LDAP as <c>{ARGON2}$argon2id$...</c> so that slapd's argon2
/// module (and so every service that does an LDAP bind) verifies them.
/// </summary>
public sealed class PasswordHasher(IOptions<PasswordHashingOptions> options) : IDisposable
{
    public const string LdapScheme = "{ARGON2}";
    const int SaltBytes = 16;
    const int HashBytes = 32;

    readonly PasswordHashingOptions _options = options.Value;
    readonly SemaphoreSlim _gate = new(options.Value.MaxConcurrentHashes);

    public async Task<string> HashForLdapAsync(string password, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(password)) throw new ArgumentException("A password cannot be empty", nameof(password));
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var (m, t, p) = (_options.MemoryKib, _options.Iterations, _options.Parallelism);
        var hash = await RunBoundedAsync(() => Compute(password, salt, m, t, p, HashBytes), ct);
        return $"{LdapScheme}$argon2id$v=19$m={m},t={t},p={p}${B64(salt)}${B64(hash)}";
    }

    /// <summary>Verifies a <c>{ARGON2}</c> value; unknown formats are simply false.</summary>
    public async Task<bool> VerifyAsync(string password, string stored, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(password) || !TryParse(stored, out var m, out var t, out var p, out var salt, out var expected))
            return false;
        try
        {
            var actual = await RunBoundedAsync(() => Compute(password, salt, m, t, p, expected.Length), ct);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or AggregateException)
        {
            return false; // parameters the library refuses: not a password we can accept
        }
    }

    /// <summary>Burns the same work as a real verification, so an unknown account answers in the same time.</summary>
    public Task BurnDummyVerificationAsync(string password, CancellationToken ct) =>
        RunBoundedAsync(() => Compute(password, DummySalt, _options.MemoryKib, _options.Iterations, _options.Parallelism, HashBytes), ct);

    public void Dispose() => _gate.Dispose();

    static readonly byte[] DummySalt = RandomNumberGenerator.GetBytes(SaltBytes);

    async Task<byte[]> RunBoundedAsync(Func<byte[]> work, CancellationToken ct)
    {
        // A burst queues for a bounded time, then gets 503 instead of piling up 19 MiB hashes.
        if (!await _gate.WaitAsync(TimeSpan.FromSeconds(10), ct))
            throw new PasswordHashingBusyException();
        // A thread of its own, not a thread-pool worker: the pool is capped near the core count
        // (Server:WorkerThreadsPerCore) for short non-blocking work, and a hash holds its thread for tens of milliseconds.
        try { return await Task.Factory.StartNew(work, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default); }
        finally { _gate.Release(); }
    }

    static byte[] Compute(string password, byte[] salt, int m, int t, int p, int length)
    {
        using var argon = new Argon2id(Encoding.UTF8.GetBytes(password))
        {
            Salt = salt, MemorySize = m, Iterations = t, DegreeOfParallelism = p,
        };
        return argon.GetBytes(length);
    }

    static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    internal static bool TryParse(string stored, out int m, out int t, out int p, out byte[] salt, out byte[] hash)
    {
        (m, t, p, salt, hash) = (0, 0, 0, [], []);
        if (!stored.StartsWith(LdapScheme, StringComparison.OrdinalIgnoreCase)) return false;
        var parts = stored[LdapScheme.Length..].Split('$');
        // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        if (parts.Length != 6 || parts[1] != "argon2id" || parts[2] != "v=19") return false;
        foreach (var kv in parts[3].Split(','))
        {
            var pair = kv.Split('=');
            if (pair.Length != 2 || !int.TryParse(pair[1], out var value)) return false;
            switch (pair[0]) { case "m": m = value; break; case "t": t = value; break; case "p": p = value; break; default: return false; }
        }
        // Bounds keep a tampered stored value from costing unbounded memory or CPU (1 GiB, 10 passes, 16 lanes).
        if (m < 8 * p || m > 1_048_576 || t is < 1 or > 10 || p is < 1 or > 16) return false;
        return TryB64(parts[4], out salt) && TryB64(parts[5], out hash) && hash.Length >= 16;
    }

    static bool TryB64(string s, out byte[] bytes)
    {
        var padded = s + new string('=', (4 - s.Length % 4) % 4);
        bytes = new byte[padded.Length];
        if (!Convert.TryFromBase64String(padded, bytes, out var n)) return false;
        bytes = bytes[..n];
        return true;
    }
}
