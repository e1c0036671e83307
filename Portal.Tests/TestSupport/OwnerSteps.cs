using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.Domain.Content;
using Portal.Domain.Questionnaires;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.TestSupport;

/// <summary>What an owner does in the browser, as steps tests can compose.</summary>
public static partial class OwnerSteps
{
    public static async Task RegisterAndConfirmAsync(IPage page, MailDevServer mail, string email, string password)
    {
        await page.GotoAsync("/Account/Register");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByLabel("Confirm password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your email" })).ToBeVisibleAsync();

        var message = await mail.WaitForEmailAsync(email, "Confirm your email address");
        var link = WebUtility.HtmlDecode(ConfirmLink().Match(message.Html ?? "").Groups[1].Value);
        await page.GotoAsync(link);
        await Expect(page.GetByText("Thank you for confirming your email.")).ToBeVisibleAsync();
    }

    public static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
    }

    /// <summary>Blazor ignores clicks until its circuit is connected: wait for the page to say it is interactive.</summary>
    public static Task WaitInteractiveAsync(IPage page) =>
        Expect(page.Locator(".section-page[data-interactive='true']")).ToBeVisibleAsync();

    private static async Task<int> SavesAsync(IPage page) =>
        int.Parse(await page.Locator(".section-page").GetAttributeAsync("data-saves") ?? "0", CultureInfo.InvariantCulture);

    /// <summary>Does one thing that saves an answer and waits until the page has saved it.</summary>
    public static async Task SaveAsync(IPage page, Func<Task> action)
    {
        var before = await SavesAsync(page);
        await action();
        await Expect(page.Locator(".section-page")).ToHaveAttributeAsync("data-saves", (before + 1).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Answers the section on the open page from a persona's answers JSON, question by question
    /// in page order, as a person would: only the questions that are shown (show-if applies live).
    /// </summary>
    public static async Task FillSectionAsync(IPage page, Section section, JsonObject persona, string? firmName = null)
    {
        await WaitInteractiveAsync(page);
        if (section.IsProfile && firmName is not null)
        {
            await SaveAsync(page, async () =>
            {
                await page.Locator("#firm-name").FillAsync(firmName);
                await page.Locator("#firm-name").PressAsync("Tab");
            });
        }

        var group = persona[section.IsProfile ? "profile" : "answers"]?.AsObject();
        foreach (var question in section.Questions)
        {
            if (group?[question.Id] is not { } value || await page.Locator($"[data-question='{question.Id}']").CountAsync() == 0)
            {
                continue; // not answered by the persona, or not shown to this firm
            }

            await AnswerAsync(page, question, value);
        }
    }

    public static async Task AnswerAsync(IPage page, Question question, JsonNode value)
    {
        string Id(string part) => $"[id='q-{question.Id}-{part}']";
        if (value is JsonValue v && v.TryGetValue<string>(out var text) && text == Question.DontKnow)
        {
            await SaveAsync(page, () => page.Locator(Id(Question.DontKnow)).CheckAsync());
            return;
        }

        switch (question.Kind)
        {
            case QuestionKind.Single:
                await SaveAsync(page, () => page.Locator(Id(value.GetValue<string>())).CheckAsync());
                break;
            case QuestionKind.Multiple:
                foreach (var option in value.AsArray().Select(o => o!.GetValue<string>()))
                {
                    await SaveAsync(page, () => page.Locator(Id(option)).CheckAsync());
                }

                break;
            case QuestionKind.Scale:
                await SaveAsync(page, () => page.Locator(Id(value.ToJsonString())).CheckAsync());
                break;
            case QuestionKind.Number:
                await SaveAsync(page, async () =>
                {
                    await page.Locator(Id("value")).FillAsync(value.ToJsonString());
                    await page.Locator(Id("value")).PressAsync("Tab");
                });
                break;
            case QuestionKind.Countries:
                foreach (var code in value.AsArray().Select(c => c!.GetValue<string>()))
                {
                    await SaveAsync(page, async () =>
                    {
                        await page.Locator(Id("country")).FillAsync(Countries.NameOf(code));
                        await page.Locator(Id("country")).PressAsync("Tab");
                    });
                    await Expect(page.Locator(Id("country"))).ToHaveValueAsync(""); // added: the box is clear for the next one
                }

                break;
        }
    }

    /// <summary>
    /// Keeps the page's WebSockets reachable, so a test can drop Blazor's connection the way a
    /// lost network does (Chromium's offline mode leaves open sockets open). Call before loading pages.
    /// </summary>
    public static Task TrackWebSocketsAsync(IPage page) => page.AddInitScriptAsync("""
        (() => {
          const Native = window.WebSocket;
          window.__sockets = [];
          window.WebSocket = function (...args) { const s = new Native(...args); window.__sockets.push(s); return s; };
          window.WebSocket.prototype = Native.prototype;
          Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
        })();
        """);

    public static Task DropConnectionAsync(IPage page) =>
        page.EvaluateAsync("() => window.__sockets.forEach(s => s.close())");

    [GeneratedRegex("href=\"([^\"]*ConfirmEmail[^\"]*)\"")]
    private static partial Regex ConfirmLink();
}
