using Fraud.Actors.State;

namespace Fraud.Actors.Rules.Compiler;

/// <summary>
/// What <c>distinct</c> and <c>seen</c> compare of an earlier event, when it is a code or a hash: a struct per field, so
/// the walk is compiled once per field and reads it directly, with no closure per event.
/// </summary>
internal interface IEventKey
{
    /// <summary>The event's key; 0 when it has none (missing, or not kept).</summary>
    static abstract uint Of(in AccountEvent e);
}

internal readonly struct CategoryKey : IEventKey
{
    public static uint Of(in AccountEvent e) => e.Category;
}

internal readonly struct TargetKey : IEventKey
{
    public static uint Of(in AccountEvent e) => e.Target;
}

internal readonly struct DeviceKey : IEventKey
{
    public static uint Of(in AccountEvent e) => e.Device;
}

internal readonly struct CountryKey : IEventKey
{
    public static uint Of(in AccountEvent e) => e.CountryNumber;
}

internal readonly struct CurrencyKey : IEventKey
{
    public static uint Of(in AccountEvent e) => e.CurrencyCode;
}

internal readonly struct Field1Key : IEventKey
{
    public static uint Of(in AccountEvent e) => e.Field1;
}

internal readonly struct Field2Key : IEventKey
{
    public static uint Of(in AccountEvent e) => e.Field2;
}
