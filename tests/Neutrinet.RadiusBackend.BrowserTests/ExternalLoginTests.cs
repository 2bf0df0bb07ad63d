using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Neutrinet.RadiusBackend.BrowserTests.Infrastructure;
using Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;

namespace Neutrinet.RadiusBackend.BrowserTests;

/// <summary>Log-in through a real OIDC provider and a plain OAuth2 one, from the login page, in Debian's Chromium.</summary>
[Collection(ProvidersCollection.Name)]
public sealed class ExternalLoginTests(ProvidersStack stack)
{
    string BaseUrl => stack.Backend.BaseUrl;

    static string Unique(string hint) => $"{hint}{Guid.NewGuid().ToString("N")[..8]}";

    [Theory]
    [InlineData("etsmtl", "oidc", ProvidersStack.TeacherValueOidc)]
    [InlineData("gmatte", "oauth", ProvidersStack.TeacherValueOAuth)]
    public async Task A_teacher_logs_in_through_the_provider_gets_a_new_member_in_ldap_and_the_teacher_role_and_the_second_login_links_to_it(
        string provider, string type, string teacherValue)
    {
        var username = Unique("teacher");
        var email = Stack.NewEmail(username);
        await stack.Provider.AddAccountAsync(username, email, emailVerified: true, "Ada Teacher", teacherValue, "some-other-group");

        var page = await stack.Browser.NewPageAsync();
        await Pages.LogInThroughProviderAsync(page, BaseUrl, provider, username);
        await Pages.WaitForMemberPageAsync(page);
        await Browser.ScreenshotAsync(page, $"{provider}-teacher-member-page");
        var roles = await page.Locator("#roles").InnerTextAsync();
        var shownEmail = await page.Locator("#me-email").InnerTextAsync();
        var created = await stack.Admin.Directory.FindByEmailAsync(email);
        var linked = await stack.Admin.Directory.FindByExternalIdAsync($"{type}:{provider}:{username}");
        var noTokenInUrl = page.Url;
        await page.Context.CloseAsync();

        var again = await stack.Browser.NewPageAsync();
        await Pages.LogInThroughProviderAsync(again, BaseUrl, provider, username);
        await Pages.WaitForMemberPageAsync(again);
        var secondEmail = await again.Locator("#me-email").InnerTextAsync();
        await again.Context.CloseAsync();
        var members = await stack.Admin.Directory.SearchAsync(email, 10);

        Assert.Equal("member, teacher", roles);
        Assert.Equal(email, shownEmail);
        Assert.NotNull(created);
        Assert.Equal("Ada Teacher", created.DisplayName);
        Assert.Empty(created.Tokens); // none shown, none kept: the member creates one on the member page
        Assert.Equal(created.Id, linked?.Id);
        Assert.DoesNotContain("nrt_", noTokenInUrl, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", noTokenInUrl, StringComparison.Ordinal);
        Assert.Equal(email, secondEmail);
        Assert.Equal(created.Id, Assert.Single(members).Id);
    }

    [Theory]
    [InlineData("etsmtl")]
    [InlineData("gmatte")]
    public async Task A_user_without_any_group_claim_is_a_plain_member(string provider)
    {
        var username = Unique("plain");
        var email = Stack.NewEmail(username);
        await stack.Provider.AddAccountAsync(username, email, emailVerified: true, "Plain User");

        var page = await stack.Browser.NewPageAsync(phone: true);
        await Pages.LogInThroughProviderAsync(page, BaseUrl, provider, username);
        await Pages.WaitForMemberPageAsync(page);
        await Browser.ScreenshotAsync(page, $"{provider}-plain-member-phone");
        var roles = await page.Locator("#roles").InnerTextAsync();
        await page.Context.CloseAsync();

        Assert.Equal("member", roles);
        Assert.NotNull(await stack.Admin.Directory.FindByEmailAsync(email));
    }

    [Fact]
    public async Task A_student_value_gives_the_student_role_through_plain_oauth()
    {
        var username = Unique("student");
        await stack.Provider.AddAccountAsync(username, Stack.NewEmail(username), emailVerified: true, "Sam Student", ProvidersStack.StudentValueOAuth);

        var page = await stack.Browser.NewPageAsync();
        await Pages.LogInThroughProviderAsync(page, BaseUrl, "gmatte", username);
        await Pages.WaitForMemberPageAsync(page);
        var roles = await page.Locator("#roles").InnerTextAsync();
        await page.Context.CloseAsync();

        Assert.Equal("member, student", roles);
    }

    [Fact]
    public async Task An_unverified_email_does_not_link_to_an_existing_member_but_a_verified_one_does()
    {
        var client = new MembersClient(stack.Backend);
        var existing = await client.RegisterAsync();
        var intruder = Unique("intruder");
        await stack.Provider.AddAccountAsync(intruder, existing.Email, emailVerified: false, "Not The Owner", ProvidersStack.TeacherValueOidc);
        var owner = Unique("owner");
        await stack.Provider.AddAccountAsync(owner, existing.Email, emailVerified: true, "The Owner");

        var page = await stack.Browser.NewPageAsync();
        await Pages.LogInThroughProviderAsync(page, BaseUrl, "etsmtl", intruder);
        var error = await Pages.LoginErrorAsync(page);
        await Browser.ScreenshotAsync(page, "etsmtl-unverified-email-refused");
        var intruderHasSession = await Pages.HasRefreshCookieAsync(page);
        await page.Context.CloseAsync();
        var notLinked = await stack.Admin.Directory.FindByExternalIdAsync($"oidc:etsmtl:{intruder}");

        var ownerPage = await stack.Browser.NewPageAsync();
        await Pages.LogInThroughProviderAsync(ownerPage, BaseUrl, "etsmtl", owner);
        await Pages.WaitForMemberPageAsync(ownerPage);
        await ownerPage.Context.CloseAsync();
        var linked = await stack.Admin.Directory.FindByExternalIdAsync($"oidc:etsmtl:{owner}");

        Assert.Contains("did not confirm your email address", error, StringComparison.Ordinal);
        Assert.False(intruderHasSession);
        Assert.Null(notLinked);
        Assert.Equal(existing.MemberId, linked?.Id);
    }

    [Fact]
    public async Task A_tampered_state_is_refused_with_a_clear_message_and_no_session_while_the_untouched_flow_logs_in()
    {
        var username = Unique("state");
        await stack.Provider.AddAccountAsync(username, Stack.NewEmail(username), emailVerified: true, "State Test");

        var authorizationRequests = new List<Uri>();
        Uri Record(Uri u)
        {
            if (u.AbsolutePath == "/auth") authorizationRequests.Add(u);
            return u;
        }
        using var untouched = new ProviderFlow();
        using var ok = await untouched.RunAsync(BaseUrl + "/api/auth/etsmtl/login", username, Record);
        using var plain = new ProviderFlow();
        using var plainOk = await plain.RunAsync(BaseUrl + "/api/auth/gmatte/login", username, Record);
        using var noPar = new ProviderFlow();
        using var noParOk = await noPar.RunAsync(BaseUrl + "/api/auth/nopar/login", username, Record);
        using var tampered = new ProviderFlow();
        using var refused = await tampered.RunAsync(BaseUrl + "/api/auth/etsmtl/login", username,
            u => u.AbsolutePath.EndsWith("/callback", StringComparison.Ordinal) ? ProviderFlow.WithQuery(u, "state", s => "x" + s) : u);
        using var oauthTampered = new ProviderFlow();
        using var oauthRefused = await oauthTampered.RunAsync(BaseUrl + "/api/auth/gmatte/login", username,
            u => u.AbsolutePath.EndsWith("/callback", StringComparison.Ordinal) ? ProviderFlow.WithQuery(u, "state", s => s[..^2]) : u);

        Assert.Equal("/member.html", ok.Headers.Location?.OriginalString);
        Assert.True(SetsSession(ok));
        Assert.Equal("/member.html", plainOk.Headers.Location?.OriginalString);
        Assert.Equal("/member.html", noParOk.Headers.Location?.OriginalString);
        // OIDC with PAR: the browser only carries request_uri; without PAR (and in plain OAuth2) PKCE S256 and state
        // show in the URL, and OIDC adds its nonce.
        var (oidc, oauth, nopar) = (authorizationRequests[0].Query, authorizationRequests[1].Query, authorizationRequests[2].Query);
        Assert.Contains("request_uri=", oidc, StringComparison.Ordinal);
        Assert.DoesNotContain("nonce=", oidc, StringComparison.Ordinal);
        Assert.Contains("code_challenge_method=S256", oauth, StringComparison.Ordinal);
        Assert.Contains("state=", oauth, StringComparison.Ordinal);
        Assert.DoesNotContain("openid", oauth, StringComparison.Ordinal);
        Assert.Contains("code_challenge_method=S256", nopar, StringComparison.Ordinal);
        Assert.Contains("nonce=", nopar, StringComparison.Ordinal);
        Assert.Equal("/?error=provider_failed&provider=etsmtl", refused.Headers.Location?.OriginalString);
        Assert.False(SetsSession(refused));
        Assert.Equal("/?error=provider_failed&provider=gmatte", oauthRefused.Headers.Location?.OriginalString);
        Assert.False(SetsSession(oauthRefused));
    }

    [Fact]
    public async Task A_tampered_nonce_is_refused()
    {
        var username = Unique("nonce");
        await stack.Provider.AddAccountAsync(username, Stack.NewEmail(username), emailVerified: true, "Nonce Test");
        var altered = false;

        // Without PAR the authorization request goes through the browser: change the nonce the provider will sign.
        using var flow = new ProviderFlow();
        using var refused = await flow.RunAsync(BaseUrl + "/api/auth/nopar/login", username, u =>
        {
            if (!u.AbsolutePath.EndsWith("/auth", StringComparison.Ordinal) || !u.Query.Contains("nonce=", StringComparison.Ordinal)) return u;
            altered = true;
            return ProviderFlow.WithQuery(u, "nonce", n => "tampered" + n[..10]);
        });

        // The console logger writes asynchronously: wait for the refusal's log line, which names the nonce check.
        var logs = await Eventually.ReadAsync(() => Task.FromResult(stack.Backend.Logs),
            l => l.Contains("External log-in via nopar refused", StringComparison.Ordinal));
        var refusal = logs.Split('\n').LastOrDefault(l => l.Contains("External log-in via nopar refused", StringComparison.Ordinal)) ?? "";

        Assert.True(altered);
        Assert.Equal("/?error=provider_failed&provider=nopar", refused.Headers.Location?.OriginalString);
        Assert.False(SetsSession(refused));
        Assert.Contains("nonce", refusal, StringComparison.OrdinalIgnoreCase);
    }

    static bool SetsSession(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("nrb_refresh=nrt_", StringComparison.Ordinal));

    [Theory]
    [InlineData("offline")]
    [InlineData("hung")]
    public async Task A_provider_that_is_down_or_hangs_shows_a_clear_error_quickly_and_the_other_modules_keep_working(string provider)
    {
        var page = await stack.Browser.NewPageAsync();
        var started = System.Diagnostics.Stopwatch.StartNew();
        await page.GotoAsync(BaseUrl + "/");
        await page.GetByRole(AriaRole.Link, new() { Name = $"Log in with {provider}", Exact = true }).ClickAsync();
        var error = await Pages.LoginErrorAsync(page);
        var elapsed = started.Elapsed;
        await Browser.ScreenshotAsync(page, $"{provider}-provider-down");
        await page.Context.CloseAsync();
        var member = await new MembersClient(stack.Backend).RegisterAsync();
        var tokens = await new MembersClient(stack.Backend).LoginAsync(member.Email, member.Password);

        Assert.Contains($"{provider} cannot be reached right now", error, StringComparison.Ordinal);
        Assert.True(elapsed < TimeSpan.FromSeconds(8), $"took {elapsed}");
        Assert.False(string.IsNullOrEmpty(tokens.AccessToken));
    }

    [Fact]
    public async Task The_seed_shaped_auth_config_loads_and_the_login_page_shows_two_provider_buttons_and_the_form()
    {
        var page = await stack.Browser.NewPageAsync();
        await page.GotoAsync(stack.SeedOnly.BaseUrl + "/");
        await page.Locator(".provider-button").First.WaitForAsync();
        var buttons = await page.Locator(".provider-button").AllInnerTextsAsync();
        var emailField = await page.GetByLabel("Email").CountAsync();
        var passwordField = await page.GetByLabel("Password").CountAsync();
        await Browser.ScreenshotAsync(page, "login-page-seed-config");
        await page.GetByRole(AriaRole.Button, new() { Name = "Français" }).ClickAsync();
        var french = await page.Locator(".provider-button").AllInnerTextsAsync();
        await Browser.ScreenshotAsync(page, "login-page-seed-config-fr");
        await page.Context.CloseAsync();
        using var providers = JsonDocument.Parse(await stack.SeedOnly.Http.GetStringAsync(stack.SeedOnly.BaseUrl + "/api/auth/providers"));

        Assert.Equal(["Log in with etsmtl", "Log in with gmatte"], buttons.Order(StringComparer.Ordinal));
        Assert.Equal(["Se connecter avec etsmtl", "Se connecter avec gmatte"], french.Order(StringComparer.Ordinal));
        Assert.Equal(1, emailField);
        Assert.Equal(1, passwordField);
        Assert.Equal(["etsmtl", "gmatte", "simpleauth"],
            providers.RootElement.EnumerateArray().Select(p => p.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal("/api/auth/etsmtl/login", providers.RootElement.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "etsmtl").GetProperty("startUrl").GetString());
    }

    [Fact]
    public async Task The_callback_without_a_flow_in_progress_is_refused_cleanly_not_with_an_empty_500()
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false };
        using var http = new HttpClient(handler);
        using var response = await http.GetAsync(BaseUrl + "/api/auth/etsmtl/callback?code=abc&state=forged");
        using var oauth = await http.GetAsync(BaseUrl + "/api/auth/gmatte/callback?code=abc&state=forged");

        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/?error=provider_failed&provider=etsmtl", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, oauth.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("nrb_refresh=", StringComparison.Ordinal) && !c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase)));
    }
}
