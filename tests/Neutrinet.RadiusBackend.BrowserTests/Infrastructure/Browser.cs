using Microsoft.Playwright;
using Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;

namespace Neutrinet.RadiusBackend.BrowserTests.Infrastructure;

/// <summary>
/// Debian's Chromium (/usr/bin/chromium) driven by Playwright; Playwright never downloads a browser here. One browser
/// per fixture, a fresh context (cookie jar) per user session. Screenshots go to
/// tests/Neutrinet.RadiusBackend.BrowserTests/artifacts/screenshots (or $NRB_TEST_ARTIFACTS/screenshots).
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    static readonly string[] Flags =
    [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    IPlaywright? _playwright;
    IBrowser? _browser;

    public static string ArtifactsDir { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("NRB_TEST_ARTIFACTS") is { Length: > 0 } dir ? dir
            : Path.Combine(Repo.Root, "tests", "Neutrinet.RadiusBackend.BrowserTests", "artifacts"), "screenshots");

    public async Task StartAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: apt-get install chromium (scripts/lib/install-deps does)");
        System.IO.Directory.CreateDirectory(ArtifactsDir);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = Flags,
            Timeout = 30_000,
        });
    }

    /// <summary>A new user: own cookies, English, a phone-sized or desktop viewport.</summary>
    public async Task<IPage> NewPageAsync(bool phone = false)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            Locale = "en-US",
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1100, Height = 900 },
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(15_000);
        context.SetDefaultNavigationTimeout(15_000);
        return await context.NewPageAsync();
    }

    public static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsDir, name + ".png"), FullPage = true });

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
    }
}
