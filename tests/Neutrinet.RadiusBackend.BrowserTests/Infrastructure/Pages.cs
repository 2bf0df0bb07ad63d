using Microsoft.Playwright;

namespace Neutrinet.RadiusBackend.BrowserTests.Infrastructure;

/// <summary>What a user does on the pages, by visible labels and roles (the accessible names are part of the test).</summary>
public static class Pages
{
    /// <summary>From the login page, through the provider's sign-in form, back to the member page.</summary>
    public static async Task LogInThroughProviderAsync(IPage page, string baseUrl, string provider, string username)
    {
        await page.GotoAsync(baseUrl + "/");
        await page.GetByRole(AriaRole.Link, new() { Name = $"Log in with {provider}", Exact = true }).ClickAsync();
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    public static async Task WaitForMemberPageAsync(IPage page)
    {
        await page.WaitForURLAsync("**/member.html");
        await page.Locator("body[data-ready=true]").WaitForAsync();
    }

    public static async Task<string> LoginErrorAsync(IPage page)
    {
        try { await page.WaitForURLAsync(url => url.Contains("error=", StringComparison.Ordinal)); }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"no error page; at {page.Url}:\n{await page.ContentAsync()}", e);
        }
        var alert = page.Locator("#error");
        await alert.WaitForAsync();
        return await alert.InnerTextAsync();
    }

    public static async Task<bool> HasRefreshCookieAsync(IPage page) =>
        (await page.Context.CookiesAsync()).Any(c => c.Name == "nrb_refresh");
}
