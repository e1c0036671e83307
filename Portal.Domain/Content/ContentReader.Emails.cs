using System.Text.RegularExpressions;
using Fluid;
using Fluid.Values;
using Portal.Domain.Emails;

namespace Portal.Domain.Content;

// content/emails/NAME.liquid: parts headed "=== subject ===", "=== html ===", "=== text ===".
internal sealed partial class ContentReader
{
    private static readonly FluidParser Liquid = new();

    // Where each part starts, to point problems found while rendering at the right lines.
    private readonly Dictionary<(string Template, string Part), (int Line, string Source)> emailParts = [];

    private Dictionary<string, EmailTemplate> ReadEmailTemplates()
    {
        var templates = new Dictionary<string, EmailTemplate>(StringComparer.Ordinal);
        var folder = Path.Combine(directory, "emails");
        if (!Directory.Exists(folder))
        {
            problems.Add("emails/", 0, "the folder is missing: it holds the email templates (see content/README.md)");
            return templates;
        }

        foreach (var path in Directory.GetFiles(folder, "*.liquid").Order(StringComparer.Ordinal))
        {
            var file = Relative(path);
            current = file;
            var name = Path.GetFileNameWithoutExtension(path);
            if (!EmailModels.Names.Contains(name))
            {
                problems.Add(file, 1, $"the portal sends no email called '{name}': the templates are {string.Join(", ", EmailModels.Names)}");
                continue;
            }

            if (ReadText(path, file) is { } text && ReadEmailTemplate(name, file, Lines(text)) is { } template)
            {
                templates[name] = template;
            }
        }

        foreach (var name in EmailModels.Names.Where(n => !templates.ContainsKey(n) && !File.Exists(Path.Combine(folder, n + ".liquid"))))
        {
            problems.Add($"emails/{name}.liquid", 0, "the file is missing: the portal needs this email template");
        }

        return templates;
    }

    private EmailTemplate? ReadEmailTemplate(string name, string file, string[] lines)
    {
        var parts = new Dictionary<string, (int Line, List<string> Lines)>(StringComparer.Ordinal);
        List<string>? open = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var heading = PartHeading().Match(lines[i]);
            if (heading.Success)
            {
                var part = heading.Groups[1].Value;
                if (part is not ("subject" or "html" or "text"))
                {
                    problems.Add(file, i + 1, $"'=== {part} ===' is not a part of an email: use subject, html or text");
                    open = null;
                }
                else if (parts.ContainsKey(part))
                {
                    problems.Add(file, i + 1, $"the {part} part is written twice");
                    open = null;
                }
                else
                {
                    open = [];
                    parts[part] = (i + 2, open);
                }
            }
            else if (open is not null)
            {
                open.Add(lines[i]);
            }
            else if (lines[i].Trim().Length > 0)
            {
                problems.Add(file, i + 1, "text outside a part: start the file with '=== subject ===', '=== html ===' or '=== text ==='");
                return null;
            }
        }

        var required = EmailModels.RequiredParts(name);
        foreach (var missing in required.Where(p => !parts.ContainsKey(p)))
        {
            problems.Add(file, 0, $"the {missing} part is missing (a line '=== {missing} ===' followed by the {missing})");
        }

        foreach (var extra in parts.Keys.Where(p => !required.Contains(p)))
        {
            problems.Add(file, parts[extra].Line - 1, $"the {name} template has no {extra} part");
        }

        var parsed = new Dictionary<string, IFluidTemplate>(StringComparer.Ordinal);
        foreach (var (part, (line, body)) in parts)
        {
            var source = string.Join("\n", body);
            emailParts[(name, part)] = (line, source);
            if (Liquid.TryParse(source, out var template, out var error))
            {
                parsed[part] = template;
            }
            else
            {
                var (at, message) = LiquidError(error, line);
                problems.Add(file, at, $"the {part} part is not valid Liquid: {message}");
            }
        }

        return required.All(parsed.ContainsKey)
            ? new EmailTemplate(name, file, parsed.GetValueOrDefault("subject"), parsed["html"], parsed["text"])
            : null;
    }

    /// <summary>
    /// Renders every template with a model of the right shape and reports each variable or
    /// filter it uses that the portal does not provide: a typo in a template must stop the
    /// start, not send emails with holes in them.
    /// </summary>
    private void CheckEmailTemplates(IReadOnlyDictionary<string, EmailTemplate> templates)
    {
        foreach (var template in templates.Values)
        {
            if (EmailModels.Sample(template.Name) is not { } model)
            {
                continue;
            }

            foreach (var (part, liquid) in new[] { ("subject", template.Subject), ("html", template.Html), ("text", template.Text) })
            {
                if (liquid is null)
                {
                    continue;
                }

                var unknown = new SortedSet<string>(StringComparer.Ordinal);
                var options = new TemplateOptions
                {
                    StrictFilters = true,
                    Undefined = name =>
                    {
                        unknown.Add(name);
                        return ValueTask.FromResult<FluidValue>(NilValue.Instance);
                    },
                };
                var context = new TemplateContext(options);
                foreach (var (key, value) in model)
                {
                    context.SetValue(key, Recording(key, value, options, unknown));
                }

                var (line, source) = emailParts[(template.Name, part)];
                try
                {
                    liquid.Render(context);
                }
                catch (Exception e) when (e is InvalidOperationException or FluidException)
                {
                    problems.Add(template.File, line, $"the {part} part cannot be rendered: {e.Message}");
                }

                foreach (var name in unknown)
                {
                    problems.Add(template.File, LineOf(source, name, line),
                        $"the {part} part uses '{name}', which this email does not have: it has {string.Join(", ", Paths(model))}");
                }
            }
        }
    }

    private static FluidValue Recording(string path, object? value, TemplateOptions options, ISet<string> unknown) => value switch
    {
        IReadOnlyDictionary<string, object?> map => new DictionaryValue(new RecordingIndexable(path, map, options, unknown)),
        _ => FluidValue.Create(value, options),
    };

    private static IEnumerable<string> Paths(IReadOnlyDictionary<string, object?> model, string prefix = "")
    {
        foreach (var (key, value) in model.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (value is Dictionary<string, object?> inner)
            {
                foreach (var path in Paths(inner, prefix + key + "."))
                {
                    yield return path;
                }
            }
            else
            {
                yield return prefix + key;
            }
        }
    }

    // The first line of the part that mentions the variable's last segment; else the part's first line.
    private static int LineOf(string source, string name, int firstLine)
    {
        var last = name[(name.LastIndexOf('.') + 1)..];
        var lines = source.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (Regex.IsMatch(lines[i], $@"\b{Regex.Escape(last)}\b"))
            {
                return firstLine + i;
            }
        }

        return firstLine;
    }

    // Fluid reports "... at (line:column)" within the part; make it a line of the file.
    private static (int Line, string Message) LiquidError(string error, int firstLine)
    {
        var first = error.Split('\n')[0].Trim();
        var at = LiquidPosition().Match(first);
        return at.Success
            ? (firstLine + int.Parse(at.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) - 1, first[..at.Index].Trim() + $" (column {at.Groups[2].Value})")
            : (firstLine, first);
    }

    [GeneratedRegex(@"^===\s*([a-z-]+)\s*===\s*$")]
    private static partial Regex PartHeading();

    [GeneratedRegex(@"at \((\d+):(\d+)\)")]
    private static partial Regex LiquidPosition();

    /// <summary>A model object that notes every member a template asks for and does not find.</summary>
    private sealed class RecordingIndexable(string path, IReadOnlyDictionary<string, object?> values, TemplateOptions options, ISet<string> unknown) : IFluidIndexable
    {
        public int Count => values.Count;

        public IEnumerable<string> Keys => values.Keys;

        public bool TryGetValue(string name, out FluidValue value)
        {
            if (values.TryGetValue(name, out var found))
            {
                value = Recording($"{path}.{name}", found, options, unknown);
                return true;
            }

            // Liquid's own members of a hash (size, first, ...) are not typos.
            if (name is not ("size" or "first" or "last" or "empty"))
            {
                unknown.Add($"{path}.{name}");
            }

            value = NilValue.Instance;
            return false;
        }
    }
}
