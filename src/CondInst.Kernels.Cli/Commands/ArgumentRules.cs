using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace CondInst.Kernels.Cli.Commands;

/// <summary>
/// Options whose values are checked while parsing, so a wrong value is one line saying what was expected
/// ("--score-thr must be a number from 0 to 1, got 'abc'") instead of a .NET parse message.
/// </summary>
internal static class ArgumentRules
{
    /// <summary>A number in [0, 1] (a probability threshold); NaN and infinities are refused.</summary>
    public static Option<float?> Fraction(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r => ParseFloat(r, name) is { } v && (v is >= 0 and <= 1 || Fail(r, name, "a number from 0 to 1")) ? v : null,
    };

    /// <summary>A whole number of at least 1.</summary>
    public static Option<int?> Count(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r =>
        {
            string text = Single(r);
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) && v >= 1) return v;
            r.AddError($"{name} must be a whole number of at least 1, got '{text}'");
            return null;
        },
    };

    /// <summary>A non-empty path (an empty string would silently mean the current folder).</summary>
    public static Option<string> Path(string name, string description) => new(name)
    {
        Description = description,
        Required = true,
        CustomParser = r =>
        {
            string text = Single(r);
            if (text.Trim().Length > 0) return text;
            r.AddError($"{name} must be a path, got an empty string");
            return "";
        },
    };

    private static float? ParseFloat(ArgumentResult r, string name)
    {
        string text = Single(r);
        if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v)) return v;
        Fail(r, name, "a number from 0 to 1");
        return null;
    }

    private static bool Fail(ArgumentResult r, string name, string expected)
    {
        r.AddError($"{name} must be {expected}, got '{Single(r)}'");
        return false;
    }

    private static string Single(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
}
