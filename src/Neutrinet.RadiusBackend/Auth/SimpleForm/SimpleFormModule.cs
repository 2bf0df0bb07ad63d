using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Neutrinet.RadiusBackend.Directory;
using Neutrinet.RadiusBackend.Members;
using Neutrinet.RadiusBackend.Security;

namespace Neutrinet.RadiusBackend.Auth.SimpleForm;

public sealed record RegisterRequest(string? Email, string? Password, string? DisplayName);
public sealed record LoginRequest(string? Email, string? Password);
public sealed record ResetPasswordRequest(string? Token, string? NewPassword);
public sealed record TokenResponse(string AccessToken, string RefreshToken, int ExpiresIn, string TokenType = "Bearer");
public sealed record MemberSummary(string Id, string Email, string DisplayName, bool Suspended);
public sealed record RegisterResponse(MemberSummary Member, string VpnToken, string VpnTokenId);

/// <summary>
/// Email + password: self-registration straight into LDAP (Argon2id account password and a first VPN token), and
/// log-in. Unknown emails and wrong passwords get the same answer in the same time (a dummy hash is computed).
/// </summary>
public sealed class SimpleFormModule(
    AuthManager manager, MemberService members, MemberDirectory directory, PasswordHasher hasher,
    AccountRateLimiter accountLimiter, ILogger<SimpleFormModule> logger) : IAuthModule
{
    public string Name => "simpleauth";

    public ProviderDescription Describe() => new(
        Name, "Email and password", "form",
        SubmitUrl: "/api/auth/simpleauth/login",
        RegisterUrl: "/api/auth/simpleauth/register",
        Fields: [new("email", "Email", "email"), new("password", "Password", "password")]);

    public void MapEndpoints(RouteGroupBuilder group)
    {
        group.MapPost("/register", Register).RequireRateLimiting(AuthSetup.ClientRateLimit)
            .WithSummary("Creates a member (LDAP) with a first VPN token, shown once");
        group.MapPost("/login", Login).RequireRateLimiting(AuthSetup.ClientRateLimit)
            .WithSummary("Logs in with email and password");
        group.MapPost("/reset", Reset).RequireRateLimiting(AuthSetup.ClientRateLimit)
            .WithSummary("Sets a new password with a one-time reset token issued by an admin");
    }

    async Task<Results<Created<RegisterResponse>, ValidationProblem, ProblemHttpResult>> Register(RegisterRequest body, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        string email = "";
        try { email = MemberService.NormalizeEmail(body.Email ?? ""); }
        catch (InvalidMemberInputException e) { errors["email"] = [e.Message]; }
        if (PasswordPolicy.Check(body.Password, email) is { } weak) errors["password"] = [weak];
        if (body.DisplayName is { Length: > 128 }) errors["displayName"] = ["At most 128 characters."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "The registration is not valid");

        try
        {
            var created = await members.CreateAsync(email, body.DisplayName, body.Password, ct);
            logger.LogInformation("Member {MemberId} registered", created.Member.Id);
            var summary = new MemberSummary(created.Member.Id, created.Member.Email, created.Member.DisplayName, created.Member.Suspended);
            return TypedResults.Created("/api/members/me", new RegisterResponse(summary, created.VpnToken.Secret, created.VpnToken.TokenId));
        }
        catch (MemberAlreadyExistsException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "This email cannot be registered",
                detail: "An account may already use it: log in, or ask for a password reset.");
        }
        catch (InvalidMemberInputException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["displayName"] = [e.Message] });
        }
    }

    async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> Login(LoginRequest body, HttpContext http, CancellationToken ct)
    {
        var email = body.Email is not null && Radius.UserNames.Normalize(body.Email, out var n) == Radius.UserNames.Verdict.Ok ? n : (body.Email ?? "").Trim().ToLowerInvariant();
        var password = body.Password ?? "";
        using var lease = accountLimiter.Acquire(email);
        if (!lease.IsAcquired) return AccountRateLimited(http, lease);

        var found = email.Length is > 0 and <= 253 && password.Length is > 0 and <= PasswordPolicy.MaxLength
            ? await directory.FindCredentialsByEmailAsync(email, ct)
            : null;
        var ok = false;
        if (found is { PasswordHash: { } stored }) ok = await hasher.VerifyAsync(password, stored, ct);
        else await hasher.BurnDummyVerificationAsync(password.Length > 0 ? password : "x", ct);

        if (!ok) return InvalidCredentials();
        var member = found!.Value.Member;
        if (member.Suspended)
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Account suspended",
                detail: "This account is suspended; contact Neutrinet.");
        var result = await manager.LogInAsync(member, http, ct);
        return TypedResults.Ok(new TokenResponse(result.Tokens.AccessToken, result.Tokens.RefreshToken, result.Tokens.ExpiresIn));
    }

    async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Reset(ResetPasswordRequest body, PasswordResets resets, CancellationToken ct)
    {
        var memberId = body.Token is null ? null : await resets.ConsumeAsync(body.Token);
        var member = memberId is null ? null : await directory.FindByIdAsync(memberId, ct);
        if (member is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid or expired reset token");
        if (PasswordPolicy.Check(body.NewPassword, member.Email) is { } weak)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["newPassword"] = [weak] });
        await directory.UpdateAccountAsync(member.Id, null, null, await hasher.HashForLdapAsync(body.NewPassword!, ct), ct);
        await manager.EndAllSessionsAsync(member.Id);
        return TypedResults.NoContent();
    }

    static ProblemHttpResult InvalidCredentials() =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid email or password");

    static ProblemHttpResult AccountRateLimited(HttpContext http, RateLimitLease lease)
    {
        if (lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many attempts",
            detail: "Too many log-in attempts for this account; try again later.");
    }
}

/// <summary>Log-in attempts per account (in this process), on top of the per-client limit of the rate-limiting middleware.</summary>
public sealed class AccountRateLimiter(IOptions<AuthOptions> options) : IDisposable
{
    readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(account =>
        RateLimitPartition.GetFixedWindowLimiter(account, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.LoginAttemptsPerAccount,
            Window = options.Value.LoginAttemptsWindow,
            QueueLimit = 0,
        }), StringComparer.Ordinal);

    public RateLimitLease Acquire(string account) => _limiter.AttemptAcquire(account);
    public void Dispose() => _limiter.Dispose();
}

/// <summary>One-time password-reset tokens an admin hands to a member; stored hashed, valid one hour, never a password.</summary>
public sealed class PasswordResets(Caching.RedisConnection redis)
{
    public async Task<string> IssueAsync(string memberId)
    {
        var token = "nrs_" + Base32.Encode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        await redis.Database.StringSetAsync(Key(token), memberId, TimeSpan.FromHours(1));
        return token;
    }

    public async Task<string?> ConsumeAsync(string token)
    {
        if (token.Length is < 10 or > 100) return null;
        return (string?)await redis.Database.StringGetDeleteAsync(Key(token));
    }

    string Key(string token) => redis.Prefix + "pwreset:" + Convert.ToHexStringLower(
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));
}
