using System.Net;
using System.Security.Cryptography;
using System.Text;
using Fraud.Host.Configuration;
using Fraud.Host.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fraud.Host.Dashboard;

/// <summary>
/// Who may read a node's web endpoints. With <c>Dashboard:Token</c> set, everything but <c>/healthz</c> and
/// <c>/ready</c> (and <c>/metrics</c> with <c>Dashboard:MetricsAnonymous</c>) asks for it: as a bearer header, or as
/// the http-only cookie the login form sets. Without a token a node serves openly on loopback only. Changing rules and
/// lists needs <c>Dashboard:AdminToken</c> (or the token, when that is not set), and is refused when neither is set.
/// Every answer carries headers that keep the page from being framed, sniffed or sent elsewhere.
/// </summary>
public static class DashboardSecurity
{
    public const string CookieName = "fraud_session";

    /// <summary>Shortest token accepted: a guessable one would protect nothing.</summary>
    public const int MinTokenLength = 16;

    private static readonly string[] OpenPaths = ["/healthz", "/ready", "/login", "/login.css", "/favicon.svg"];

    /// <summary>One line saying why these settings must not serve, or null.</summary>
    public static string? Problem(DashboardSettings dashboard)
    {
        if (dashboard.AdminToken is { Length: > 0 and < MinTokenLength })
        {
            return $"Dashboard:AdminToken must be at least {MinTokenLength} characters (a random one: openssl rand -hex 24)";
        }

        if (!string.IsNullOrEmpty(dashboard.Token))
        {
            return dashboard.Token.Length < MinTokenLength
                ? $"Dashboard:Token must be at least {MinTokenLength} characters (a random one: openssl rand -hex 24)"
                : null;
        }

        if (dashboard.AllowAnonymous)
        {
            return null;
        }

        var open = Urls(dashboard).FirstOrDefault(url => !IsLoopback(url));
        return open is null
            ? null
            : $"dashboard: {open} is not a loopback address and Dashboard:Token is not set: set Dashboard__Token (anyone who reaches it would see accounts and amounts), or Dashboard__AllowAnonymous=true";
    }

    private static IEnumerable<string> Urls(DashboardSettings dashboard) =>
        dashboard.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Whether a Kestrel URL listens on loopback only (<c>localhost</c>, 127.x, <c>::1</c>).</summary>
    public static bool IsLoopback(string url)
    {
        var host = url;
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            host = host[(scheme + 3)..];
        }

        host = host.Split('/')[0];
        if (host.StartsWith('['))
        {
            host = host[1..host.IndexOf(']', StringComparison.Ordinal)];
        }
        else if (host.LastIndexOf(':') is var colon and > 0)
        {
            host = host[..colon];
        }

        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>Security headers on every answer, then the token check; before the static files and the endpoints.</summary>
    public static WebApplication UseDashboardSecurity(this WebApplication app, DashboardSettings dashboard)
    {
        var tokens = Tokens(dashboard);
        app.Use(async (http, next) =>
        {
            var headers = http.Response.Headers;
            headers["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
            headers["X-Content-Type-Options"] = "nosniff";
            headers["X-Frame-Options"] = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cache-Control"] = "no-store";
            if (string.IsNullOrEmpty(dashboard.Token) || IsOpen(http.Request.Path, dashboard) || IsAuthenticated(http.Request, tokens))
            {
                await next(http);
                return;
            }

            if (HttpMethods.IsGet(http.Request.Method) && (http.Request.Path == "/" || http.Request.Path.Value!.EndsWith(".html", StringComparison.Ordinal)))
            {
                http.Response.Redirect("/login");
                return;
            }

            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            headers.WWWAuthenticate = "Bearer";
            await http.Response.WriteAsJsonAsync(new { error = "this endpoint needs the dashboard's token (Authorization: Bearer, or log in at /login)" });
        });

        if (tokens.Length > 0)
        {
            MapLogin(app, tokens);
        }

        return app;
    }

    /// <summary>
    /// Whether <paramref name="request"/> may change rules and lists: it carries the admin token (<c>Dashboard:AdminToken</c>,
    /// or <c>Dashboard:Token</c> when that is not set), as a bearer header or a session opened with it. Null when it may,
    /// or the status and one line to answer with.
    /// </summary>
    public static (int Status, string Error)? ChangeRefused(HttpRequest request, DashboardSettings dashboard)
    {
        var admin = string.IsNullOrEmpty(dashboard.AdminToken) ? dashboard.Token : dashboard.AdminToken;
        if (string.IsNullOrEmpty(admin))
        {
            return (StatusCodes.Status403Forbidden, "changes need a token: set Dashboard__AdminToken (or Dashboard__Token) on the node; without one its rules and lists are read-only here");
        }

        if (IsAuthenticated(request, [admin]))
        {
            return null;
        }

        return IsAuthenticated(request, Tokens(dashboard))
            ? (StatusCodes.Status403Forbidden, "this token reads the dashboard; changing rules and lists needs Dashboard:AdminToken")
            : (StatusCodes.Status401Unauthorized, "changing rules and lists needs the admin token (Authorization: Bearer, or log in with it at /login)");
    }

    private static string[] Tokens(DashboardSettings dashboard) =>
        new[] { dashboard.Token, dashboard.AdminToken }.Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).Distinct().ToArray();

    private static bool IsOpen(PathString path, DashboardSettings dashboard) =>
        OpenPaths.Any(open => path.Equals(open, StringComparison.Ordinal)) || (dashboard.MetricsAnonymous && path.Equals("/metrics", StringComparison.Ordinal));

    private static bool IsAuthenticated(HttpRequest request, string[] tokens)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var given = authorization["Bearer ".Length..].Trim();
            return tokens.Any(token => Same(given, token));
        }

        return request.Cookies.TryGetValue(CookieName, out var cookie) && tokens.Any(token => Same(cookie, SessionOf(token)));
    }

    private static bool Same(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    /// <summary>The cookie's value: derived from the token, so a new token ends every session, and the token is never in it.</summary>
    private static string SessionOf(string token) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), "fraud-dashboard-session"u8));

    // Either token logs in; the session is that token's (one opened with the admin token may change rules).
    private static void MapLogin(WebApplication app, string[] tokens)
    {
        app.MapGet("/login", (HttpContext http) => LoginPage(http.Request.Query.ContainsKey("failed")));
        app.MapPost("/login", async (HttpContext http) =>
        {
            var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync() : null;
            var given = form?["token"].ToString();
            if (string.IsNullOrEmpty(given) || tokens.FirstOrDefault(t => Same(given, t)) is not { } token)
            {
                await Task.Delay(500); // a guess costs time
                return Results.Redirect("/login?failed", permanent: false);
            }

            http.Response.Cookies.Append(CookieName, SessionOf(token), new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = http.Request.IsHttps,
                Path = "/",
                MaxAge = TimeSpan.FromHours(12),
            });
            return Results.Redirect("/", permanent: false);
        }).DisableAntiforgery();
        app.MapPost("/logout", (HttpContext http) =>
        {
            http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/" });
            return Results.Redirect("/login", permanent: false);
        });
    }

    private static IResult LoginPage(bool failed) => Results.Content($$"""
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Fraud detector: log in</title><link rel="stylesheet" href="/login.css"><link rel="icon" href="/favicon.svg" type="image/svg+xml"></head>
        <body>
        <form method="post" action="/login">
          <h1>Fraud detector</h1>
          <label for="token">Dashboard token</label>
          <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
          <button type="submit">Log in</button>
          {{(failed ? "<p class=\"error\" id=\"login-error\">That token is not this node's.</p>" : "")}}
        </form>
        </body>
        </html>
        """, "text/html; charset=utf-8");
}
