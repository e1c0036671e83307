using System.Text.Encodings.Web;
using Fluid;

namespace Portal.Domain.Emails;

/// <summary>What a rendered email is made of: one line of subject, an HTML part and a plain-text part.</summary>
public sealed record RenderedEmail(string Subject, string Html, string Text);

/// <summary>
/// One email template, <c>content/emails/NAME.liquid</c>: Liquid parts headed
/// <c>=== subject ===</c>, <c>=== html ===</c> and <c>=== text ===</c>, parsed once when the
/// content is loaded. Rendering is pure: the model is a tree of dictionaries, lists and values
/// (see <see cref="EmailModels"/>), never the portal's entities.
/// </summary>
public sealed class EmailTemplate
{
    // Values are written as they are in the text part and subject; HTML-encoded in the HTML part.
    internal static readonly TemplateOptions Options = new();

    internal EmailTemplate(string name, string file, IFluidTemplate? subject, IFluidTemplate html, IFluidTemplate text)
    {
        Name = name;
        File = file;
        Subject = subject;
        Html = html;
        Text = text;
    }

    public string Name { get; }

    /// <summary>The file it was read from, relative to the content folder.</summary>
    public string File { get; }

    internal IFluidTemplate? Subject { get; }

    internal IFluidTemplate Html { get; }

    internal IFluidTemplate Text { get; }

    /// <summary>
    /// Renders the email and wraps its HTML and text in the layout (which receives
    /// <c>content</c> and <c>subject</c> besides the layout model).
    /// </summary>
    public RenderedEmail Render(IReadOnlyDictionary<string, object?> model, EmailTemplate layout, IReadOnlyDictionary<string, object?> layoutModel)
    {
        var subject = Subject is null ? "" : OneLine(Subject.Render(Context(model, Options), NullEncoder.Default));
        var html = Html.Render(Context(model, Options), HtmlEncoder.Default);
        var text = Text.Render(Context(model, Options), NullEncoder.Default);

        var outer = new Dictionary<string, object?>(layoutModel) { ["subject"] = subject, ["content"] = html };
        var wrappedHtml = layout.Html.Render(Context(outer, Options), HtmlEncoder.Default);
        outer["content"] = text.Trim();
        var wrappedText = layout.Text.Render(Context(outer, Options), NullEncoder.Default);
        return new RenderedEmail(subject, wrappedHtml, TidyText(wrappedText));
    }

    internal static TemplateContext Context(IReadOnlyDictionary<string, object?> model, TemplateOptions options)
    {
        var context = new TemplateContext(options);
        foreach (var (key, value) in model)
        {
            context.SetValue(key, value);
        }

        return context;
    }

    // A subject is one line whatever the template's line breaks.
    private static string OneLine(string value) => string.Join(' ', value.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    // Liquid tags leave blank lines behind; more than one blank line in a row reads as a gap.
    private static string TidyText(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd());
        var result = new List<string>();
        foreach (var line in lines)
        {
            if (line.Length == 0 && (result.Count == 0 || result[^1].Length == 0))
            {
                continue;
            }

            result.Add(line);
        }

        return string.Join("\n", result).Trim() + "\n";
    }
}
