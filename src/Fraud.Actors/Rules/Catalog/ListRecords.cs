using System.Text.Json;

namespace Fraud.Actors.Rules.Catalog;

/// <summary>What a list's items are: what a rule compares them with, and how an item is written (a country in capitals).</summary>
public enum ListItemType
{
    Account,
    Target,
    Device,
    Country,
    Category,
    String,
}

/// <summary>
/// The list topic's records. Key <c>NAME</c>: the list itself (its item type and description); key <c>NAME/ITEM</c>:
/// one item, with an optional expiry and a reason. A list's items go with it; a list an active rule reads cannot be
/// deleted (the writers refuse it; if such a deletion reaches the topic, the rules that read it fail to compile and
/// nodes keep the rule set they run).
/// </summary>
public static class ListRecords
{
    /// <summary>The record key of a list (<paramref name="item"/> null) or of one of its items.</summary>
    public static string Key(string list, string? item = null) => item is null ? list : list + "/" + item;

    /// <summary>A key's list and item (null for the list itself).</summary>
    public static (string List, string? Item) Split(string key)
    {
        var slash = key.IndexOf('/');
        return slash < 0 ? (key, null) : (key[..slash], key[(slash + 1)..]);
    }

    /// <summary>A list's name: what <c>@name</c> in a rule can refer to (letters, digits, <c>_</c>, <c>-</c>).</summary>
    public static bool IsName(string name) =>
        name.Length is > 0 and <= 100 && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    public static string TypeText(ListItemType type) => Json.Name(type);

    public static bool TryType(string? text, out ListItemType type) => Json.TryName(text, out type);

    /// <summary>An item as its list's type writes it: a country's code in capitals, the rest as given, trimmed.</summary>
    public static string Normalize(ListItemType type, string item) => type == ListItemType.Country ? item.Trim().ToUpperInvariant() : item.Trim();
}

/// <summary>A list: its item type and what it is for.</summary>
public sealed record ListDeclaration(ListItemType Type, string? Description, string? By, DateTimeOffset? At)
{
    public byte[] ToJson() => Json.Write(json =>
    {
        json.WriteString("type", ListRecords.TypeText(Type));
        if (Description is not null) json.WriteString("description", Description);
        Json.WriteAuthor(json, By, At);
    });

    public static ListDeclaration? Parse(ReadOnlySpan<byte> value, out string? problem) => Json.Read(value, "a list record", out problem, root =>
    {
        if (!root.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String || !ListRecords.TryType(t.GetString(), out var type))
        {
            throw new FormatException("a list's type is account, target, device, country, category or string");
        }

        var (by, at) = Json.Author(root);
        return new ListDeclaration(type, Json.Text(root, "description"), by, at);
    });
}

/// <summary>One item of a list: until when it holds (null: until removed) and why it is there.</summary>
public sealed record ListItem(DateTimeOffset? Expires, string? Reason, string? By, DateTimeOffset? At)
{
    public bool HoldsAt(DateTimeOffset now) => Expires is not { } expires || expires > now;

    public byte[] ToJson() => Json.Write(json =>
    {
        if (Expires is { } expires) json.WriteString("expires", expires.UtcDateTime);
        if (Reason is not null) json.WriteString("reason", Reason);
        Json.WriteAuthor(json, By, At);
    });

    public static ListItem? Parse(ReadOnlySpan<byte> value, out string? problem) => Json.Read(value, "a list item", out problem, root =>
    {
        DateTimeOffset? expires = null;
        if (root.TryGetProperty("expires", out var e) && e.ValueKind != JsonValueKind.Null)
        {
            expires = e.ValueKind == JsonValueKind.String && e.TryGetDateTimeOffset(out var when)
                ? when
                : throw new FormatException($"an item's expiry is an ISO 8601 time, not {e.GetRawText()}");
        }

        var (by, at) = Json.Author(root);
        return new ListItem(expires, Json.Text(root, "reason"), by, at);
    });
}

/// <summary>The small JSON the catalog's records are.</summary>
internal static class Json
{
    public static byte[] Write(Action<Utf8JsonWriter> fields)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            fields(json);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static T? Read<T>(ReadOnlySpan<byte> value, string what, out string? problem, Func<JsonElement, T> read) where T : class
    {
        problem = null;
        try
        {
            using var doc = JsonDocument.Parse(value.ToArray());
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = $"{what} is a JSON object";
                return null;
            }

            return read(doc.RootElement);
        }
        catch (JsonException e)
        {
            problem = $"{what} is not JSON ({e.Message.Split('.')[0]})";
        }
        catch (FormatException e)
        {
            problem = e.Message;
        }

        return null;
    }

    /// <summary>An enum's value as records write it: its name in lower case.</summary>
    public static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    /// <summary>The value whose <see cref="Name{T}"/> is <paramref name="text"/>, exactly.</summary>
    public static bool TryName<T>(string? text, out T value) where T : struct, Enum
    {
        foreach (var known in Enum.GetValues<T>())
        {
            if (Name(known) == text)
            {
                value = known;
                return true;
            }
        }

        value = default;
        return false;
    }

    public static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static (string? By, DateTimeOffset? At) Author(JsonElement root) =>
        (Text(root, "by"), root.TryGetProperty("at", out var a) && a.ValueKind == JsonValueKind.String && a.TryGetDateTimeOffset(out var at) ? at : null);

    public static void WriteAuthor(Utf8JsonWriter json, string? by, DateTimeOffset? at)
    {
        if (by is not null) json.WriteString("by", by);
        if (at is { } when) json.WriteString("at", when.UtcDateTime);
    }
}
