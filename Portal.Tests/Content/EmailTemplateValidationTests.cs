using Portal.Domain.Content;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Content;

/// <summary>Mistakes in content/emails stop the start with the file and line, like every other content mistake.</summary>
public sealed class EmailTemplateValidationTests
{
    private const string FollowUp = "emails/follow-up.liquid";

    [Fact]
    public void MisspeltVariable_IsReportedAtItsLine_WithTheVariablesThatExist()
    {
        using var copy = TestContent.Copy().Replace(FollowUp, "<h1 style=\"font-size:22px;line-height:1.3;margin:24px 0 8px;\">{{ advice.title }}</h1>",
            "<h1>{{ advice.titel }}</h1>");

        var problem = Single(copy, FollowUp);

        Assert.Equal(copy.LineOf(FollowUp, "advice.titel"), problem.Line);
        Assert.Contains("the html part uses 'advice.titel', which this email does not have", problem.Message, StringComparison.Ordinal);
        Assert.Contains("advice.title", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownRootVariable_AndUnknownFilter_AreReported()
    {
        using var copy = TestContent.Copy().Replace(FollowUp, "{{ firm.name }}: {{ advice.title }}", "{{ company }}: {{ advice.title | shout }}");

        var problems = Problems(copy, FollowUp);

        Assert.Contains(problems, p => p.Line == 2 && p.Message.Contains("uses 'company'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Line == 2 && p.Message.Contains("Undefined filter 'shout'", StringComparison.Ordinal));
    }

    [Fact]
    public void LiquidSyntaxError_NamesTheLineOfTheFile()
    {
        using var copy = TestContent.Copy().Replace("emails/reset-code.liquid", "<strong>{{ code }}</strong>", "<strong>{{ code </strong>");

        var problem = Single(copy, "emails/reset-code.liquid");

        Assert.Equal(copy.LineOf("emails/reset-code.liquid", "{{ code </strong>"), problem.Line);
        Assert.Contains("the html part is not valid Liquid", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingPart_IsReported()
    {
        using var copy = TestContent.Copy().Write("emails/reset-password.liquid", "=== subject ===\nReset\n=== html ===\n<p>{{ link }}</p>\n");

        var problem = Single(copy, "emails/reset-password.liquid");

        Assert.Contains("the text part is missing", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingTemplate_AndUnknownTemplate_AreReported()
    {
        using var copy = TestContent.Copy().Delete("emails/confirm-email.liquid").Write("emails/newsletter.liquid", "=== subject ===\nNews\n");

        var problems = copy.Load().Problems;

        Assert.Contains(problems, p => p.File == "emails/confirm-email.liquid" && p.Message.Contains("the file is missing", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.File == "emails/newsletter.liquid" && p.Line == 1 && p.Message.Contains("the portal sends no email called 'newsletter'", StringComparison.Ordinal));
    }

    [Fact]
    public void TextOutsideAPart_IsReportedAtItsLine()
    {
        using var copy = TestContent.Copy().Write("emails/reset-code.liquid", "Hello\n=== subject ===\nCode\n=== html ===\n{{ code }}\n=== text ===\n{{ code }}\n");

        var problem = Single(copy, "emails/reset-code.liquid");

        Assert.Equal(1, problem.Line);
        Assert.Contains("text outside a part", problem.Message, StringComparison.Ordinal);
    }

    private static List<ContentProblem> Problems(ContentCopy copy, string file)
    {
        var result = copy.Load();
        Assert.False(result.Succeeded);
        return result.Problems.Where(p => p.File == file).ToList();
    }

    private static ContentProblem Single(ContentCopy copy, string file)
    {
        var result = copy.Load();
        Assert.False(result.Succeeded);
        Assert.True(result.Problems.Count == 1, $"Expected one problem, got:\n{string.Join("\n", result.Problems)}");
        Assert.Equal(file, result.Problems[0].File);
        return result.Problems[0];
    }
}
