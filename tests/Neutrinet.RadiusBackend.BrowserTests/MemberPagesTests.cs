using Microsoft.Playwright;
using Neutrinet.RadiusBackend.BrowserTests.Infrastructure;
using Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;

namespace Neutrinet.RadiusBackend.BrowserTests;

/// <summary>The web pages served by the backend, used the way a member and an operator use them.</summary>
[Collection(ProvidersCollection.Name)]
public sealed class MemberPagesTests(ProvidersStack stack)
{
    const string Password = "correct horse battery staple 42";
    string BaseUrl => stack.Backend.BaseUrl;

    static async Task RegisterAsync(IPage page, string baseUrl, string email)
    {
        await page.GotoAsync(baseUrl + "/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Register" }).ClickAsync();
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Name (optional)").FillAsync("Browser Member");
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create my account" }).ClickAsync();
    }

    static async Task LogInAsync(IPage page, string baseUrl, string email)
    {
        await page.GotoAsync(baseUrl + "/");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in", Exact = true }).ClickAsync();
        await Pages.WaitForMemberPageAsync(page);
    }

    [Fact]
    public async Task Register_create_a_token_seen_once_download_the_profile_revoke_it_log_out_and_log_back_in()
    {
        var email = Stack.NewEmail("browser");
        var page = await stack.Browser.NewPageAsync();
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();

        await RegisterAsync(page, BaseUrl, email);
        await Assertions.Expect(page.Locator("#first-token")).ToContainTextAsync("nvt_");
        var firstToken = await page.Locator("#first-token").InnerTextAsync();
        await Browser.ScreenshotAsync(page, "register-first-token");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to my account" }).ClickAsync();
        await Pages.WaitForMemberPageAsync(page);

        // Create a token: the secret is shown once, with a copy button.
        await page.GetByLabel("Device name").FillAsync("laptop");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create a token" }).ClickAsync();
        var secret = page.Locator("#new-token-secret");
        await Assertions.Expect(secret).ToContainTextAsync("nvt_");
        var shownSecret = await secret.InnerTextAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#copy-status")).ToHaveTextAsync("Copied.");
        await Browser.ScreenshotAsync(page, "member-token-created");
        var laptopRow = page.Locator("#tokens tbody tr", new() { HasText = "laptop" });
        await Assertions.Expect(laptopRow).ToHaveCountAsync(1);

        // Reload: still logged in (refresh cookie), and the secret is gone for good.
        await page.ReloadAsync();
        await Pages.WaitForMemberPageAsync(page);
        var afterReload = await page.ContentAsync();

        // The ready-to-use OpenVPN profile.
        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Button, new() { Name = "Download the OpenVPN profile" }).ClickAsync());
        var profile = await File.ReadAllTextAsync((await download.PathAsync())!);

        // Revoke it.
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke token laptop" }).ClickAsync();
        await Assertions.Expect(laptopRow).ToHaveCountAsync(0);
        await Browser.ScreenshotAsync(page, "member-token-revoked");
        var member = await stack.Admin.GetAsync(email);

        // Log out, then back in.
        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await page.WaitForURLAsync(BaseUrl + "/");
        var cookieAfterLogout = await Pages.HasRefreshCookieAsync(page);
        await page.GotoAsync(BaseUrl + "/member.html");
        await page.WaitForURLAsync(BaseUrl + "/");
        await LogInAsync(page, BaseUrl, email);
        var shownEmail = await page.Locator("#me-email").InnerTextAsync();
        await Browser.ScreenshotAsync(page, "member-logged-back-in");
        await page.Context.CloseAsync();

        Assert.StartsWith("nvt_", firstToken, StringComparison.Ordinal);
        Assert.StartsWith("nvt_", shownSecret, StringComparison.Ordinal);
        Assert.DoesNotContain(shownSecret, afterReload, StringComparison.Ordinal);
        Assert.Equal("neutrinet.ovpn", download.SuggestedFilename);
        Assert.Contains($"remote {ProvidersStack.VpnServer} 1194", profile, StringComparison.Ordinal);
        Assert.Contains("auth-user-pass", profile, StringComparison.Ordinal);
        Assert.Contains("<ca>\n" + ProvidersStack.FakeCa + "\n</ca>", profile, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", profile, StringComparison.Ordinal);
        Assert.DoesNotContain("nvt_", profile, StringComparison.Ordinal);
        Assert.Equal([MemberService_FirstTokenLabel], member.Tokens.Select(t => t.Label));
        Assert.False(cookieAfterLogout);
        Assert.Equal(email, shownEmail);
    }

    const string MemberService_FirstTokenLabel = Members.MemberService.FirstTokenLabel;

    [Fact]
    public async Task A_member_switches_to_french_and_logs_in_with_the_keyboard_alone()
    {
        var member = await new MembersClient(stack.Backend).RegisterAsync(password: Password);
        var page = await stack.Browser.NewPageAsync(phone: true);
        await page.GotoAsync(BaseUrl + "/");
        await page.Locator(".login-form").WaitForAsync();

        await page.Keyboard.PressAsync("Tab"); // the site name
        await page.Keyboard.PressAsync("Tab"); // the language button
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.PressAsync("Tab"); // email
        await page.Keyboard.TypeAsync(member.Email);
        await page.Keyboard.PressAsync("Tab"); // password
        await page.Keyboard.TypeAsync(Password);
        await page.Keyboard.PressAsync("Enter");
        await Pages.WaitForMemberPageAsync(page);
        var heading = await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync();
        var lang = await page.EvaluateAsync<string>("() => document.documentElement.lang");
        await Browser.ScreenshotAsync(page, "member-page-fr-phone");
        await page.Context.CloseAsync();

        Assert.Equal("Mon compte", heading);
        Assert.Equal("fr", lang);
    }

    [Fact]
    public async Task A_dropped_connection_keeps_the_member_logged_in_and_the_access_token_is_refreshed_silently()
    {
        var member = await new MembersClient(stack.Backend).RegisterAsync(password: Password);
        var page = await stack.Browser.NewPageAsync();
        await LogInAsync(page, BaseUrl, member.Email);

        await page.Context.SetOfflineAsync(true);
        var keptWhileOffline = await page.EvaluateAsync<bool>("() => App.refresh()");
        var banner = await page.Locator("#offline").InnerTextAsync();
        await Browser.ScreenshotAsync(page, "member-offline");
        await page.Context.SetOfflineAsync(false);
        var refreshed = await page.EvaluateAsync<bool>("() => App.refresh()");
        await page.ReloadAsync();
        await Pages.WaitForMemberPageAsync(page);
        var shownEmail = await page.Locator("#me-email").InnerTextAsync();
        await page.Context.CloseAsync();

        Assert.True(keptWhileOffline);
        Assert.Contains("Connection lost", banner, StringComparison.Ordinal);
        Assert.True(refreshed);
        Assert.Equal(member.Email, shownEmail);
    }

    [Fact]
    public async Task An_admin_finds_a_member_suspends_and_reactivates_them_and_sets_a_static_ip()
    {
        var client = new MembersClient(stack.Backend);
        var admin = await client.RegisterAsync(password: Password);
        await stack.Admin.Directory.SetGroupMembershipAsync(admin.MemberId, "admins", true);
        var target = await client.RegisterAsync();
        var page = await stack.Browser.NewPageAsync(phone: true);

        await LogInAsync(page, BaseUrl, admin.Email);
        await page.GetByRole(AriaRole.Link, new() { Name = "Administration" }).ClickAsync();
        await page.Locator("body[data-ready=true]").WaitForAsync();
        await page.GetByLabel("Search members (email or name)").FillAsync(target.Email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        var card = page.Locator($"section[data-member-id='{target.MemberId}']");
        await card.GetByRole(AriaRole.Button, new() { Name = $"Suspend {target.Email}" }).ClickAsync();
        await Assertions.Expect(card.GetByRole(AriaRole.Button, new() { Name = $"Reactivate {target.Email}" })).ToBeVisibleAsync();
        var suspended = (await stack.Admin.GetAsync(target.Email)).Suspended;
        await card.GetByRole(AriaRole.Button, new() { Name = $"Reactivate {target.Email}" }).ClickAsync();
        await Assertions.Expect(card.GetByRole(AriaRole.Button, new() { Name = $"Suspend {target.Email}" })).ToBeVisibleAsync();
        await card.GetByLabel("Static IPv4").FillAsync("198.51.100.77");
        await card.GetByLabel("IPv6 prefix").FillAsync("2001:db8:77::/56");
        await card.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(card.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved.");
        await Browser.ScreenshotAsync(page, "admin-member-phone");
        await page.Context.CloseAsync();
        var after = await stack.Admin.GetAsync(target.Email);

        Assert.True(suspended);
        Assert.False(after.Suspended);
        Assert.Equal("198.51.100.77", after.Radius.FramedIpAddress);
        Assert.Equal("2001:db8:77::/56", after.Radius.FramedIpv6Prefix);
    }
}
