using Microsoft.Extensions.Options;
using Neutrinet.RadiusBackend.Security;

namespace Neutrinet.RadiusBackend.UnitTests;

public sealed class PasswordHasherTests : IDisposable
{
    // Produced by the reference implementation (the one slapd's argon2 module links):
    //   echo -n 'correct horse battery staple' | argon2 neutrinetsalt123 -id -t 1 -m 13 -p 1 -l 32 -e
    //   echo -n 'pässwörd✓' | argon2 anothersalt4567 -id -t 2 -m 13 -p 2 -l 32 -e
    const string ReferenceHash = "{ARGON2}$argon2id$v=19$m=8192,t=1,p=1$bmV1dHJpbmV0c2FsdDEyMw$hxQ1TPRrBy4lOiEpLQq9TSlIUr1QUFQLCas/LRExY1c";
    const string ReferenceUnicodeHash = "{ARGON2}$argon2id$v=19$m=8192,t=2,p=2$YW5vdGhlcnNhbHQ0NTY3$+R6OBtEJ102+xAY6Xe9pVAKfLAz2sodGOpMAOPt5Qs0";

    readonly PasswordHasher _hasher = new(Options.Create(new PasswordHashingOptions { MemoryKib = 8192, Iterations = 1, Parallelism = 1 }));

    public void Dispose() => _hasher.Dispose();

    [Fact]
    public async Task Argon2_hash_round_trips_and_rejects_wrong_password()
    {
        var stored = await _hasher.HashForLdapAsync("correct horse battery staple", CancellationToken.None);

        Assert.StartsWith("{ARGON2}$argon2id$v=19$m=8192,t=1,p=1$", stored, StringComparison.Ordinal);
        Assert.True(await _hasher.VerifyAsync("correct horse battery staple", stored, CancellationToken.None));
        Assert.False(await _hasher.VerifyAsync("correct horse battery stapl", stored, CancellationToken.None));
        Assert.False(await _hasher.VerifyAsync("Correct horse battery staple", stored, CancellationToken.None));
        Assert.False(await _hasher.VerifyAsync(" correct horse battery staple", stored, CancellationToken.None));
    }

    [Fact]
    public async Task Hash_has_phc_layout_with_unpadded_16_byte_salt_and_32_byte_hash()
    {
        var stored = await _hasher.HashForLdapAsync("pw", CancellationToken.None);

        Assert.DoesNotContain('=', stored["{ARGON2}$argon2id$v=19$m=8192,t=1,p=1$".Length..]);
        Assert.True(PasswordHasher.TryParse(stored, out var m, out var t, out var p, out var salt, out var hash));
        Assert.Equal((8192, 1, 1), (m, t, p));
        Assert.Equal(16, salt.Length);
        Assert.Equal(32, hash.Length);
    }

    [Fact]
    public async Task Hashing_the_same_password_twice_uses_fresh_salt()
    {
        var a = await _hasher.HashForLdapAsync("same", CancellationToken.None);
        var b = await _hasher.HashForLdapAsync("same", CancellationToken.None);

        Assert.NotEqual(a, b);
        Assert.True(await _hasher.VerifyAsync("same", b, CancellationToken.None));
    }

    [Fact]
    public async Task Verifies_hashes_from_the_reference_argon2_implementation()
    {
        Assert.True(await _hasher.VerifyAsync("correct horse battery staple", ReferenceHash, CancellationToken.None));
        Assert.False(await _hasher.VerifyAsync("correct horse battery staple!", ReferenceHash, CancellationToken.None));
        // Parameters come from the stored string (t=2, p=2 here), not from the options; passwords are UTF-8.
        Assert.True(await _hasher.VerifyAsync("p\u00E4ssw\u00F6rd\u2713", ReferenceUnicodeHash, CancellationToken.None));
        Assert.False(await _hasher.VerifyAsync("passwoerd", ReferenceUnicodeHash, CancellationToken.None));
    }

    [Fact]
    public async Task Round_trips_a_unicode_password()
    {
        var stored = await _hasher.HashForLdapAsync("p\u00E4ssw\u00F6rd\u2713", CancellationToken.None);

        Assert.True(await _hasher.VerifyAsync("p\u00E4ssw\u00F6rd\u2713", stored, CancellationToken.None));
        // Same letters, decomposed: a different byte string, so a different password.
        Assert.False(await _hasher.VerifyAsync("pa\u0308ssw\u00F6rd\u2713", stored, CancellationToken.None));
    }

    [Theory]
    [InlineData("")]
    [InlineData("correct horse battery staple")]
    [InlineData("$argon2id$v=19$m=8192,t=1,p=1$bmV1dHJpbmV0c2FsdDEyMw$hxQ1TPRrBy4lOiEpLQq9TSlIUr1QUFQLCas/LRExY1c")]
    [InlineData("{SSHA512}ZZHY1dnzl3vZfJ11KxisPxtStu0FS/srkGuEEBWxjbtixvpDC78Qjh2T7CI4zx1GCztHtB8qwAWSeHXgVaay6Cc1m+Hf+I8J")]
    [InlineData("{ARGON2}$argon2i$v=19$m=8192,t=1,p=1$bmV1dHJpbmV0c2FsdDEyMw$hxQ1TPRrBy4lOiEpLQq9TSlIUr1QUFQLCas/LRExY1c")]
    [InlineData("{ARGON2}$argon2id$v=16$m=8192,t=1,p=1$bmV1dHJpbmV0c2FsdDEyMw$hxQ1TPRrBy4lOiEpLQq9TSlIUr1QUFQLCas/LRExY1c")]
    [InlineData("{ARGON2}$argon2id$m=8192,t=1,p=1$bmV1dHJpbmV0c2FsdDEyMw$hxQ1TPRrBy4lOiEpLQq9TSlIUr1QUFQLCas/LRExY1c")]
    [InlineData("{ARGON2}$argon2id$v=19$m=8192,t=1,p=1$bmV1dHJpbmV0c2FsdDEyMw")]
    [InlineData("{ARGON2}$argon2id$v=19$m=8192,t=1,p=1$bmV1dHJpbmV0c2FsdDEyMw$hxQ1TPRrBy4lOiEpLQq9TSlIUr1QUFQLCas/LRExY1c$")]
    [InlineData("{ARGON2}$argon2id$v=19$m=x,t=1,p=1$bmV1dHJpbmV0c2FsdDEyMw$hxQ1TPRrBy4lOiEpLQq9TSlIUr1QUFQLCas/LRExY1c")]
    [InlineData("{ARGON2}$argon2id$v=19$m=8192,t=1,p=1,x=1$bmV1dHJpbmV0c2FsdDEyMw$hxQ1TPRrBy4lOiEpLQq9TSlIUr1QUFQLCas/LRExY1c")]
    [InlineData("{ARGON2}$argon2id$v=19$m=8192,t=1$bmV1dHJpbmV0c2FsdDEyMw$hxQ1TPRrBy4lOiEpLQq9TSlIUr1QUFQLCas/LRExY1c")]
    [InlineData("{ARGON2}$argon2id$v=19$m=0,t=1,p=1$bmV1dHJpbmV0c2FsdDEyMw$hxQ1TPRrBy4lOiEpLQq9TSlIUr1QUFQLCas/LRExY1c")]
    [InlineData("{ARGON2}$argon2id$v=19$m=8192,t=-1,p=1$bmV1dHJpbmV0c2FsdDEyMw$hxQ1TPRrBy4lOiEpLQq9TSlIUr1QUFQLCas/LRExY1c")]
    [InlineData("{ARGON2}$argon2id$v=19$m=99999999999,t=1,p=1$bmV1dHJpbmV0c2FsdDEyMw$hxQ1TPRrBy4lOiEpLQq9TSlIUr1QUFQLCas/LRExY1c")]
    [InlineData("{ARGON2}$argon2id$v=19$m=8192,t=1,p=1$!!!!$hxQ1TPRrBy4lOiEpLQq9TSlIUr1QUFQLCas/LRExY1c")]
    [InlineData("{ARGON2}$argon2id$v=19$m=8192,t=1,p=1$bmV1dHJpbmV0c2FsdDEyMw$!!!!")]
    [InlineData("{ARGON2}$argon2id$v=19$m=8192,t=1,p=1$bmV1dHJpbmV0c2FsdDEyMw$aGFzaA")]
    public async Task Verify_is_false_for_values_it_cannot_parse(string stored)
    {
        Assert.False(PasswordHasher.TryParse(stored, out _, out _, out _, out _, out _));
        Assert.False(await _hasher.VerifyAsync("correct horse battery staple", stored, CancellationToken.None));
    }

    [Fact]
    public void Parses_the_scheme_case_insensitively()
    {
        Assert.True(PasswordHasher.TryParse("{argon2}" + ReferenceHash["{ARGON2}".Length..], out var m, out var t, out var p, out var salt, out var hash));
        Assert.Equal((8192, 1, 1), (m, t, p));
        Assert.Equal("neutrinetsalt123"u8.ToArray(), salt);
        Assert.Equal(32, hash.Length);
    }

    [Fact]
    public async Task Verify_honours_cancellation()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _hasher.VerifyAsync("correct horse battery staple", ReferenceHash, cts.Token));
    }
}
