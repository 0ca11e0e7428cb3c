using System.Globalization;
using System.Text;

namespace CondInst.Kernels.Importer.Settings;

/// <summary>A value the config reader could not evaluate (a call, an expression); only its text matters.</summary>
internal sealed record ConfigUnknown(string What);

/// <summary>
/// Reads the literal part of an mmdetection/mmengine config text (<c>Config.pretty_text</c>, as stored in a
/// checkpoint's meta): top-level <c>name = value</c> assignments whose values are numbers, strings, True/False/None,
/// lists, tuples, <c>{...}</c> dicts and <c>dict(k=v, ...)</c> calls; names refer to earlier assignments. It is not a
/// Python interpreter: anything else (other calls, operators, comprehensions, imports) becomes
/// <see cref="ConfigUnknown"/> or skips its statement. Values: long, double, string, bool, null, List (list),
/// object?[] (tuple), Dictionary&lt;string, object?&gt; (dict).
/// </summary>
internal sealed class ConfigText
{
    public const int MaxDepth = 64;

    private readonly List<Token> _tokens;
    private readonly Dictionary<string, object?> _vars = new(StringComparer.Ordinal);
    private readonly ImporterLimits _limits;
    private readonly string _source;
    private long _steps;
    private int _p;

    private ConfigText(List<Token> tokens, ImporterLimits limits, string source) => (_tokens, _limits, _source) = (tokens, limits, source);

    private enum Kind { Name, Number, String, Op, End }

    private sealed record Token(Kind Kind, string Text, int Line, object? Value = null);

    private sealed class Unparsable : Exception
    {
    }

    /// <summary>Parses <paramref name="text"/>; returns the top-level variables it could evaluate.</summary>
    /// <exception cref="ImporterException">The text or its evaluation passes <see cref="ImporterLimits.MaxConfigTextChars"/> or <see cref="ImporterLimits.MaxConfigSteps"/>.</exception>
    public static Dictionary<string, object?> Parse(string text, ImporterLimits? limits = null, string source = "config text")
    {
        limits ??= ImporterLimits.Default;
        if (text.Length > limits.MaxConfigTextChars)
            throw new ImporterException($"{source}: config text of {text.Length} characters {ImporterLimits.Exceeds(nameof(ImporterLimits.MaxConfigTextChars), limits.MaxConfigTextChars, "--max-config-chars")}");
        var reader = new ConfigText(Tokenize(text), limits, source);
        reader.Run();
        return reader._vars;
    }

    // One step per value built, plus the elements a list concatenation copies: bounds time and memory together.
    private void Step(long count)
    {
        _steps += count;
        if (_steps > _limits.MaxConfigSteps)
            throw new ImporterException($"{_source}: evaluating the config text takes more than {_limits.MaxConfigSteps} steps, which {ImporterLimits.Exceeds(nameof(ImporterLimits.MaxConfigSteps), _limits.MaxConfigSteps, "--max-config-steps")}");
    }

    private void Run()
    {
        while (Peek.Kind != Kind.End)
        {
            int start = _p;
            try
            {
                if (Peek.Kind == Kind.Name && _tokens[_p + 1] is { Kind: Kind.Op, Text: "=" })
                {
                    string name = Take().Text;
                    Take();
                    var value = Expression(0);
                    if (Peek.Kind != Kind.End && Peek.Line == _tokens[_p - 1].Line && Peek.Text != ";") throw new Unparsable();
                    _vars[name] = value;
                    continue;
                }
                throw new Unparsable();
            }
            catch (Unparsable)
            {
                SkipStatement(start);
            }
        }
    }

    // Skips from `start` to the first token that begins a new line outside any brackets.
    private void SkipStatement(int start)
    {
        _p = start;
        int depth = 0;
        int line = Peek.Line;
        Take();
        while (Peek.Kind != Kind.End)
        {
            var t = Peek;
            if (depth <= 0 && t.Line != line) return;
            if (t.Kind == Kind.Op && t.Text is "(" or "[" or "{") depth++;
            else if (t.Kind == Kind.Op && t.Text is ")" or "]" or "}") depth--;
            line = t.Line;
            Take();
        }
    }

    private Token Peek => _tokens[_p];

    private Token Take() => _tokens[_p].Kind == Kind.End ? throw new Unparsable() : _tokens[_p++];

    private bool TakeOp(string op)
    {
        if (Peek.Kind == Kind.Op && Peek.Text == op)
        {
            _p++;
            return true;
        }
        return false;
    }

    private void ExpectOp(string op)
    {
        if (!TakeOp(op)) throw new Unparsable();
    }

    private object? Expression(int depth)
    {
        if (depth > MaxDepth) throw new Unparsable();
        var left = Unary(depth);
        while (Peek.Kind == Kind.Op && Peek.Text is "+" or "-" or "*" or "/")
        {
            string op = Take().Text;
            var right = Unary(depth);
            if (left is List<object?> x && right is List<object?> y) Step(x.Count + y.Count);
            left = Arithmetic(left, op, right);
        }
        return left;
    }

    private static object? Arithmetic(object? a, string op, object? b) => (a, op, b) switch
    {
        (long x, "+", long y) => x + y,
        (long x, "-", long y) => x - y,
        (long x, "*", long y) => x * y,
        (List<object?> x, "+", List<object?> y) => x.Concat(y).ToList(),
        _ when a is long or double && b is long or double => op switch
        {
            "+" => ToDouble(a) + ToDouble(b),
            "-" => ToDouble(a) - ToDouble(b),
            "*" => ToDouble(a) * ToDouble(b),
            _ => ToDouble(a) / ToDouble(b),
        },
        _ => new ConfigUnknown($"expression with '{op}'"),
    };

    private static double ToDouble(object? v) => v is long l ? l : (double)v!;

    private object? Unary(int depth)
    {
        if (depth > MaxDepth) throw new Unparsable();
        if (TakeOp("-"))
        {
            return Unary(depth + 1) switch
            {
                long l => -l,
                double d => -d,
                var other => new ConfigUnknown($"-{other}"),
            };
        }
        if (TakeOp("+")) return Unary(depth + 1);
        return Postfix(Primary(depth), depth);
    }

    private object? Primary(int depth)
    {
        Step(1);
        var t = Take();
        switch (t.Kind)
        {
            case Kind.Number:
                return t.Value;
            case Kind.String:
                {
                    var sb = new StringBuilder((string)t.Value!);
                    while (Peek.Kind == Kind.String) sb.Append((string)Take().Value!); // implicit concatenation
                    return sb.ToString();
                }
            case Kind.Name:
                return t.Text switch
                {
                    "True" => true,
                    "False" => false,
                    "None" => null,
                    "dict" when Peek is { Kind: Kind.Op, Text: "(" } => DictCall(depth),
                    _ => _vars.TryGetValue(t.Text, out var v) ? v : new ConfigUnknown(t.Text),
                };
            case Kind.Op when t.Text == "(":
                {
                    var items = Sequence(")", depth, out bool trailingComma);
                    return items.Count == 1 && !trailingComma ? items[0] : items.ToArray();
                }
            case Kind.Op when t.Text == "[":
                return Sequence("]", depth, out _);
            case Kind.Op when t.Text == "{":
                return Braces(depth);
            default:
                throw new Unparsable();
        }
    }

    private object? Postfix(object? value, int depth)
    {
        while (true)
        {
            if (TakeOp("."))
            {
                string attr = Take().Text;
                value = value is Dictionary<string, object?> d && d.TryGetValue(attr, out var v) ? v : new ConfigUnknown($"attribute {attr}");
            }
            else if (Peek is { Kind: Kind.Op, Text: "(" })
            {
                Take();
                CallArguments(depth, null);
                value = new ConfigUnknown("call");
            }
            else if (TakeOp("["))
            {
                var index = Expression(depth + 1);
                ExpectOp("]");
                value = (value, index) switch
                {
                    (List<object?> l, long i) when i >= 0 && i < l.Count => l[(int)i],
                    (object?[] a, long i) when i >= 0 && i < a.Length => a[i],
                    (Dictionary<string, object?> d, string k) when d.ContainsKey(k) => d[k],
                    _ => new ConfigUnknown("subscript"),
                };
            }
            else
            {
                return value;
            }
        }
    }

    private Dictionary<string, object?> DictCall(int depth)
    {
        var d = new Dictionary<string, object?>(StringComparer.Ordinal);
        ExpectOp("(");
        CallArguments(depth, d);
        return d;
    }

    // Arguments up to the closing ')'; keyword arguments go into `keywords` when given.
    private void CallArguments(int depth, Dictionary<string, object?>? keywords)
    {
        while (!TakeOp(")"))
        {
            if (Peek.Kind == Kind.Name && _tokens[_p + 1] is { Kind: Kind.Op, Text: "=" })
            {
                string key = Take().Text;
                Take();
                var value = Expression(depth + 1);
                if (keywords is not null) keywords[key] = value;
            }
            else
            {
                TakeOp("*");
                TakeOp("*");
                Expression(depth + 1);
            }
            if (!TakeOp(","))
            {
                ExpectOp(")");
                return;
            }
        }
    }

    private List<object?> Sequence(string close, int depth, out bool trailingComma)
    {
        var items = new List<object?>();
        trailingComma = false;
        while (!TakeOp(close))
        {
            items.Add(Expression(depth + 1));
            trailingComma = TakeOp(",");
            if (!trailingComma)
            {
                ExpectOp(close);
                break;
            }
        }
        return items;
    }

    private object Braces(int depth)
    {
        var d = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (!TakeOp("}"))
        {
            var key = Expression(depth + 1);
            ExpectOp(":");
            d[Convert.ToString(key, CultureInfo.InvariantCulture) ?? "None"] = Expression(depth + 1);
            if (!TakeOp(","))
            {
                ExpectOp("}");
                break;
            }
        }
        return d;
    }

    private static List<Token> Tokenize(string s)
    {
        var tokens = new List<Token>();
        int i = 0, line = 1;
        while (i < s.Length)
        {
            char c = s[i];
            if (c == '\n')
            {
                line++;
                i++;
            }
            else if (c == '\\' && i + 1 < s.Length && s[i + 1] == '\n')
            {
                i += 2; // explicit line continuation: the statement goes on
            }
            else if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '#')
            {
                while (i < s.Length && s[i] != '\n') i++;
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1])))
            {
                int start = i;
                while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '.' or '_' || (s[i] is '+' or '-' && s[i - 1] is 'e' or 'E' && !s[start..i].StartsWith("0x", StringComparison.OrdinalIgnoreCase)))) i++;
                string text = s[start..i].Replace("_", "", StringComparison.Ordinal);
                object value = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l) ? l
                    : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d
                    : new ConfigUnknown(text);
                tokens.Add(new Token(Kind.Number, text, line, value));
            }
            else if (char.IsAsciiLetter(c) || c == '_' || c > 127)
            {
                int start = i;
                while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] == '_' || s[i] > 127)) i++;
                string word = s[start..i];
                if (i < s.Length && s[i] is '\'' or '"' && word.Length <= 2 && word.All(ch => "rRbBuUfF".Contains(ch)))
                {
                    tokens.Add(StringToken(s, ref i, ref line, raw: word.Contains('r') || word.Contains('R')));
                }
                else
                {
                    tokens.Add(new Token(Kind.Name, word, line));
                }
            }
            else if (c is '\'' or '"')
            {
                tokens.Add(StringToken(s, ref i, ref line, raw: false));
            }
            else
            {
                tokens.Add(new Token(Kind.Op, c.ToString(), line));
                i++;
            }
        }
        tokens.Add(new Token(Kind.End, "", line + 1));
        tokens.Add(new Token(Kind.End, "", line + 1)); // one extra so a two-token lookahead never runs off
        return tokens;
    }

    private static Token StringToken(string s, ref int i, ref int line, bool raw)
    {
        int startLine = line;
        char q = s[i];
        bool triple = i + 2 < s.Length && s[i + 1] == q && s[i + 2] == q;
        i += triple ? 3 : 1;
        var sb = new StringBuilder();
        while (i < s.Length)
        {
            char c = s[i];
            if (c == q && (!triple || (i + 2 < s.Length && s[i + 1] == q && s[i + 2] == q)))
            {
                i += triple ? 3 : 1;
                return new Token(Kind.String, "", startLine, sb.ToString());
            }
            if (c == '\n')
            {
                line++;
                if (!triple) break; // unterminated single-quoted string
            }
            if (c == '\\' && !raw && i + 1 < s.Length)
            {
                char e = s[i + 1];
                i += 2;
                switch (e)
                {
                    case 'n': sb.Append('\n'); break;
                    case 't': sb.Append('\t'); break;
                    case 'r': sb.Append('\r'); break;
                    case '\n': line++; break;
                    case 'x' when i + 2 <= s.Length && int.TryParse(s.AsSpan(i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int x):
                        sb.Append((char)x);
                        i += 2;
                        break;
                    case 'u' when i + 4 <= s.Length && int.TryParse(s.AsSpan(i, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int u):
                        sb.Append((char)u);
                        i += 4;
                        break;
                    default: sb.Append(e); break;
                }
                continue;
            }
            sb.Append(c);
            i++;
        }
        return new Token(Kind.Op, "<unterminated string>", startLine);
    }
}
