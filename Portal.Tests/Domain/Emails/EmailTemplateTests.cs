using Portal.Domain.Emails;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Domain.Emails;

/// <summary>The real templates render into a one-line subject, an HTML part and a plain-text part.</summary>
public sealed class EmailTemplateTests
{
    private static readonly EmailLinks Links = new("https://portal.example.org", "https://portal.example.org/email/unsubscribe?token=abc", "https://portal.example.org/settings/emails");

    private static RenderedEmail FollowUp(string firmName, double? score, EmailLinks? links = null)
    {
        var content = TestContent.Real;
        var advice = content.Advice["build-foreign-contacts"];
        var model = EmailModels.FollowUpModel(content, advice, firmName, score, "Emerging", new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero),
            "https://portal.example.org/results/42", "https://portal.example.org/advice/build-foreign-contacts", links ?? Links);
        return content.EmailTemplates[EmailModels.FollowUp].Render(model, content.EmailTemplates[EmailModels.Layout], EmailModels.LayoutModel("Because.", links ?? Links));
    }

    [Fact]
    public void FollowUp_CarriesTheFirmTheAdviceTheScoreAndTheLinks()
    {
        var email = FollowUp("Valves of Zhejiang Ltd", 41.6);

        Assert.Equal("Valves of Zhejiang Ltd: Build regular contacts abroad", email.Subject);
        foreach (var part in new[] { email.Html, email.Text })
        {
            Assert.Contains("Valves of Zhejiang Ltd", part, StringComparison.Ordinal);
            Assert.Contains("Clusters and networks", part, StringComparison.Ordinal);
            Assert.Contains("42 out of 100", part, StringComparison.Ordinal);
            Assert.Contains("1 December 2026", part, StringComparison.Ordinal);
            Assert.Contains("https://portal.example.org/results/42", part, StringComparison.Ordinal);
            Assert.Contains("https://portal.example.org/email/unsubscribe?token=abc", part, StringComparison.Ordinal);
            Assert.Contains("Lew", part, StringComparison.Ordinal); // the source the advice rests on
        }

        Assert.Contains("<strong>Start with people you already know</strong>", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void FollowUp_EncodesTheFirmNameInHtml_AndKeepsItAsTypedInTextAndSubject()
    {
        var email = FollowUp("Smith & <Sons>", 50);

        Assert.Contains("Smith &amp; &lt;Sons&gt;", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<Sons>", email.Html, StringComparison.Ordinal);
        Assert.Contains("Smith & <Sons>", email.Text, StringComparison.Ordinal);
        Assert.StartsWith("Smith & <Sons>: ", email.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public void FollowUp_WithoutAScore_LeavesTheScoreSentenceOut()
    {
        var email = FollowUp("Firm", null);

        Assert.DoesNotContain("out of 100", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("out of 100", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void AccountEmail_HasTheLink_AndNoUnsubscribe()
    {
        var content = TestContent.Real;
        var links = new EmailLinks("https://portal.example.org", null, null);
        var email = content.EmailTemplates[EmailModels.ConfirmEmail].Render(
            EmailModels.LinkModel("https://portal.example.org/Account/ConfirmEmail?userId=1&code=abc", links),
            content.EmailTemplates[EmailModels.Layout], EmailModels.LayoutModel("Because.", links));

        Assert.Equal("Confirm your email address", email.Subject);
        Assert.Contains("href=\"https://portal.example.org/Account/ConfirmEmail?userId=1&amp;code=abc\"", email.Html, StringComparison.Ordinal);
        Assert.Contains("https://portal.example.org/Account/ConfirmEmail?userId=1&code=abc", email.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Unsubscribe", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("Unsubscribe", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void TextPart_HasNoRunsOfBlankLines()
    {
        var email = FollowUp("Firm", 50);

        Assert.DoesNotContain("\n\n\n", email.Text, StringComparison.Ordinal);
        Assert.EndsWith("\n", email.Text, StringComparison.Ordinal);
    }
}
