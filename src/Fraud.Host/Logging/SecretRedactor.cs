using Fraud.Host.Configuration;

namespace Fraud.Host.Logging;

/// <summary>
/// Masks the values of configured secrets wherever they appear in a log line, exceptions included. Secrets are the
/// librdkafka properties whose names say so (<c>sasl.password</c>, <c>ssl.key.password</c>, <c>ssl.key.pem</c>,
/// <c>*secret*</c> ...): by masking values rather than trusting every call site, a secret echoed back in a client's
/// error message is masked too.
/// </summary>
public sealed class SecretRedactor
{
    public const string Mask = "***";
    private readonly string[] _secrets;

    public SecretRedactor(IEnumerable<string> secrets) =>
        // Longest first, so that a secret containing another is masked whole.
        _secrets = secrets.Where(s => s.Length >= 4).Distinct().OrderByDescending(s => s.Length).ToArray();

    public static SecretRedactor For(FraudSettings settings)
    {
        var kafka = settings.Kafka;
        var values = new[] { kafka.Common, kafka.Consumer, kafka.Producer, kafka.Admin }
            .SelectMany(properties => properties)
            .Where(p => IsSecretName(p.Key))
            .Select(p => p.Value)
            .Concat(PasswordOf(settings.Checkpoints.ConnectionString) is { } password ? [password] : []);
        return new SecretRedactor(values);
    }

    /// <summary>The password in an ADO.NET connection string (<c>Password=</c> or <c>Pwd=</c>), if it has one.</summary>
    public static string? PasswordOf(string connectionString)
    {
        var builder = new System.Data.Common.DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connectionString;
        }
        catch (ArgumentException)
        {
            return null; // not a connection string the store would accept either; it says so itself
        }

        foreach (var key in new[] { "Password", "Pwd" })
        {
            if (builder.TryGetValue(key, out var value) && value is string { Length: > 0 } password)
            {
                return password;
            }
        }

        return null;
    }

    /// <summary>Property names whose values must never be logged.</summary>
    public static bool IsSecretName(string name) =>
        name.Contains("password", StringComparison.OrdinalIgnoreCase)
        || name.Contains("secret", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("ssl.key", StringComparison.OrdinalIgnoreCase)
        || name.Equals("ssl.keystore.location", StringComparison.OrdinalIgnoreCase)
        || name.Contains("token", StringComparison.OrdinalIgnoreCase);

    public string Redact(string text)
    {
        foreach (var secret in _secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }
}
