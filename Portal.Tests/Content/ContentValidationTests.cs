using Portal.Domain.Content;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Content;

/// <summary>
/// The real content loads cleanly, and each kind of mistake in a copy of it is reported with
/// the file, the line and a sentence a content author understands, all problems at once.
/// </summary>
public sealed class ContentValidationTests
{
    private const string BrokenRules = "rules/zz-broken.yaml";

    [Fact]
    public void RealContent_LoadsWithoutProblems()
    {
        var result = ContentCatalog.TryLoad(RepoPaths.Content);

        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
    }

    [Fact]
    public void RealContent_MeetsTheQuestionnaireRequirements()
    {
        var content = TestContent.Real;
        var questions = content.Questionnaire.Questions;

        Assert.True(questions.Count >= 70, $"{questions.Count} questions");
        foreach (var factor in content.Model.Factors)
        {
            Assert.True(content.Questionnaire.FindSection(factor.Id)!.Questions.Count >= 4, factor.Id);
        }

        Assert.True(content.Advice.Count >= 45, $"{content.Advice.Count} advice items");
        Assert.All(questions, q => Assert.NotEmpty(q.Sources));
        Assert.All(questions, q => Assert.False(string.IsNullOrWhiteSpace(q.Help), q.Id));
        var kinds = questions.Select(q => q.Kind).Distinct().ToList();
        Assert.Equal(5, kinds.Count);
        Assert.Contains(questions, q => q.ShowIf is not null);
        Assert.Contains(questions, q => q.OffersDontKnow);
    }

    [Fact]
    public void UnknownQuestionInARule_NamesTheRuleFileAndLine()
    {
        using var copy = TestContent.Copy().Write(BrokenRules, Rule("{ answer: cs.no-such-question, is: none }"));

        var problem = Single(copy, BrokenRules);

        Assert.Equal(copy.LineOf(BrokenRules, "when:"), problem.Line);
        Assert.Contains("rule 'zz-test': there is no question 'cs.no-such-question'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownOptionInARule_ListsTheOptionsThatExist()
    {
        using var copy = TestContent.Copy().Write(BrokenRules, Rule("{ answer: cs.activity, is: sometimes }"));

        var problem = Single(copy, BrokenRules);

        Assert.Equal(copy.LineOf(BrokenRules, "when:"), problem.Line);
        Assert.Contains("question 'cs.activity' has no option 'sometimes' (its options: none, irregular, agents", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TestThatDoesNotFitTheQuestionKind_IsReported()
    {
        using var copy = TestContent.Copy().Write(BrokenRules, Rule("{ answer: cs.intent, at-least: 2 }"));

        var problem = Single(copy, BrokenRules);

        Assert.Contains("'cs.intent' is a single-choice question: test it with is or in, not at-least", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingAdvice_IsReportedAtTheRule()
    {
        using var copy = TestContent.Copy().Write(BrokenRules, Rule("{ answer: cs.activity, is: none }", "advise: no-such-advice"));

        var problem = Single(copy, BrokenRules);

        Assert.Equal(copy.LineOf(BrokenRules, "advise:"), problem.Line);
        Assert.Contains("names advice 'no-such-advice', which does not exist (expected advice/no-such-advice.md)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UndeclaredFlag_IsReported()
    {
        using var copy = TestContent.Copy().Write(BrokenRules, Rule("{ flag: no-such-flag }"));

        var problem = Single(copy, BrokenRules);

        Assert.Equal(copy.LineOf(BrokenRules, "when:"), problem.Line);
        Assert.Contains("flag 'no-such-flag' is not declared", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FollowUpOfAdvisorAdvice_IsRefused()
    {
        var advisorItem = TestContent.Real.Advice.Values.First(a => a.Audience == Audience.Advisor).Id;
        using var copy = TestContent.Copy().Write(BrokenRules,
            Rule("{ answer: cs.activity, is: none }", $"follow-up: {{ advice: {advisorItem}, after-days: 7 }}"));

        var problem = Single(copy, BrokenRules);

        Assert.Contains($"schedules advice '{advisorItem}' by email, but it is written for advisors", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RulesThatDependOnEachOthersFlags_AreACycle()
    {
        using var copy = TestContent.Copy().Write(BrokenRules, """
            flags:
              - { id: zz-a, name: A, description: A. }
              - { id: zz-b, name: B, description: B. }
            rules:
              - id: zz-first
                explain: First.
                when: { flag: zz-b }
                then: { flag: zz-a }
              - id: zz-second
                explain: Second.
                when: { flag: zz-a }
                then: { flag: zz-b }
            """);

        var problems = copy.Load().Problems.Where(p => p.File == BrokenRules && p.Message.Contains("is part of a cycle", StringComparison.Ordinal)).ToList();

        // Each rule of the cycle is reported at its own line.
        Assert.Equal([copy.LineOf(BrokenRules, "- id: zz-first"), copy.LineOf(BrokenRules, "- id: zz-second")], problems.Select(p => p.Line).Order());
        Assert.Contains(problems, p => p.Message.StartsWith("rule 'zz-first' is part of a cycle", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.StartsWith("rule 'zz-second' is part of a cycle", StringComparison.Ordinal));
    }

    [Fact]
    public void DuplicateQuestionId_NamesBothPlaces()
    {
        const string file = "questionnaire/current-scenario.yaml";
        using var copy = TestContent.Copy().Replace(file, "  - id: cs.benchmarking", "  - id: cs.intent");
        var duplicateLine = File.ReadAllLines(copy.PathOf(file)).Select((l, i) => (l, i)).Where(x => x.l == "  - id: cs.intent").Last().i + 1;

        var problems = copy.Load().Problems;

        Assert.Contains(problems, p => p.File == file && p.Line == duplicateLine
            && p.Message == $"question id 'cs.intent' is used twice (also at {file}:{copy.LineOf(file, "  - id: cs.intent")})");
        // The rule that tested the renamed question now names one that does not exist.
        Assert.Contains(problems, p => p.File == "rules/current-scenario.yaml" && p.Message.Contains("there is no question 'cs.benchmarking'", StringComparison.Ordinal));
    }

    [Fact]
    public void OptionWithoutPoints_IsReportedOnItsLine()
    {
        const string file = "questionnaire/current-scenario.yaml";
        using var copy = TestContent.Copy().Replace(file, "{ id: considering, label: \"We are thinking about it\", points: 1 }", "{ id: considering, label: \"We are thinking about it\" }");

        var problem = Single(copy, file);

        Assert.Equal(copy.LineOf(file, "id: considering"), problem.Line);
        Assert.Equal("option 'considering' of question 'cs.intent' has no points", problem.Message);
    }

    [Fact]
    public void MisspeltKey_IsReportedWithASuggestion()
    {
        const string file = "questionnaire/current-scenario.yaml";
        using var copy = TestContent.Copy().Replace(file, "    help: >-\n      Be candid", "    hlep: >-\n      Be candid");

        var problems = copy.Load().Problems.Where(p => p.File == file).ToList();

        Assert.Contains(problems, p => p.Message == "unknown field 'hlep' (did you mean 'help'?)" && p.Line == copy.LineOf(file, "hlep:"));
        Assert.Contains(problems, p => p.Message == "'help' is missing");
    }

    [Fact]
    public void ShowIfCycle_ShowsThePath()
    {
        const string file = "questionnaire/current-scenario.yaml";
        using var copy = TestContent.Copy()
            .Replace(file, "    kind: single\n    text: Is selling abroad part of your firm's plans?", "    kind: single\n    show-if: { answer: cs.activity, is: agents }\n    text: Is selling abroad part of your firm's plans?")
            .Replace(file, "    text: How does your firm sell abroad today?", "    show-if: { answer: cs.intent, is: decided }\n    text: How does your firm sell abroad today?");

        var problem = Single(copy, file);

        // Reported at the question where the cycle is found: one of the two, at its id line.
        Assert.Contains(problem.Line, new[] { copy.LineOf(file, "  - id: cs.intent"), copy.LineOf(file, "  - id: cs.activity") });
        var first = problem.Line == copy.LineOf(file, "  - id: cs.intent") ? "cs.intent" : "cs.activity";
        var second = first == "cs.intent" ? "cs.activity" : "cs.intent";
        Assert.StartsWith($"show-if conditions form a cycle: {first} -> {second} -> {first}", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void QuestionThatCanNeverBeShown_IsUnreachable()
    {
        const string file = "questionnaire/current-scenario.yaml";
        using var copy = TestContent.Copy().Replace(file,
            "    text: Have you compared your firm's capabilities with those of competitors abroad?",
            "    show-if: { all: [ { answer: cs.activity, is: none }, { answer: cs.activity, is: agents } ] }\n    text: Have you compared your firm's capabilities with those of competitors abroad?");

        var problem = Single(copy, file);

        Assert.Equal(copy.LineOf(file, "  - id: cs.benchmarking"), problem.Line);
        Assert.Equal("question 'cs.benchmarking' can never be shown: no answers to cs.activity satisfy its show-if", problem.Message);
    }

    [Fact]
    public void PillarWeightsThatDoNotAddUp_AreReported()
    {
        using var copy = TestContent.Copy().Replace("model.yaml", "  - id: prospects\n    name: Prospects\n    weight: 25", "  - id: prospects\n    name: Prospects\n    weight: 30");

        var problem = Single(copy, "model.yaml");

        Assert.Equal("the weights of the pillars add up to 105, not 100", problem.Message);
        Assert.Equal(copy.LineOf("model.yaml", "pillars:"), problem.Line);
    }

    [Fact]
    public void FactorWeightsThatDoNotAddUp_AreReportedAtThePillar()
    {
        using var copy = TestContent.Copy().Replace("model.yaml", "      - id: capacity\n        name: Capacity\n        weight: 30", "      - id: capacity\n        name: Capacity\n        weight: 35");

        var problem = Single(copy, "model.yaml");

        Assert.Equal(copy.LineOf("model.yaml", "  - id: competencies"), problem.Line);
        Assert.Equal("the weights of the factors of pillar 'competencies' add up to 105, not 100", problem.Message);
    }

    [Fact]
    public void DuplicateRuleId_NamesWhereTheOtherCopyIs()
    {
        using var copy = TestContent.Copy().Write(BrokenRules, """
            rules:
              - id: knowledge-weak
                explain: A second rule with an id that is taken.
                when: { answer: cs.activity, is: none }
                then:
                  triage: 1
            """);

        var problem = Single(copy, BrokenRules);

        Assert.Equal(copy.LineOf(BrokenRules, "- id: knowledge-weak"), problem.Line);
        Assert.Equal($"rule 'knowledge-weak' is defined twice (also at rules/knowledge.yaml:{copy.LineOf("rules/knowledge.yaml", "- id: knowledge-weak")})", problem.Message);
    }

    [Fact]
    public void DuplicateOptionId_IsReportedOnItsLine()
    {
        const string file = "questionnaire/current-scenario.yaml";
        using var copy = TestContent.Copy().Replace(file, "{ id: considering, label: \"We are thinking about it\"", "{ id: decided, label: \"We are thinking about it\"");

        var problems = copy.Load().Problems;

        // The second option with the id is the duplicate.
        Assert.Contains(problems, p => p.File == file && p.Line == copy.LineOf(file, "{ id: decided, label: \"We have decided")
            && p.Message == "option 'decided' is listed twice in question 'cs.intent'");
        // Rules that tested the renamed option now name one that does not exist.
        Assert.Contains(problems, p => p.File == "rules/stage.yaml" && p.Message.Contains("has no option 'considering'", StringComparison.Ordinal));
    }

    [Fact]
    public void DuplicateAdviceId_NamesTheOtherFile()
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Content, "advice", "weigh-benefits-and-barriers.md"));
        const string file = "advice/zz-copy.md";
        using var copy = TestContent.Copy().Write(file, text);

        var problems = copy.Load().Problems;

        Assert.All(problems, p => Assert.Equal(file, p.File));
        Assert.Contains(problems, p => p.Line == copy.LineOf(file, "id: weigh-benefits-and-barriers")
            && p.Message == "advice 'weigh-benefits-and-barriers' is defined twice (also in advice/weigh-benefits-and-barriers.md)");
    }

    [Theory]
    [InlineData("{ score: no-such-factor, below: 40 }", "when:", "'no-such-factor' is not a factor, a pillar or 'overall'")]
    [InlineData("{ stage: [no-such-stage] }", "when:", "'no-such-stage' is neither a stage nor a stage group of model.yaml")]
    [InlineData("{ profile: no-such-field, is: small }", "when:", "there is no profile field 'no-such-field'")]
    public void UnknownIdInARuleCondition_IsReportedAtTheCondition(string when, string lineText, string message)
    {
        using var copy = TestContent.Copy().Write(BrokenRules, Rule(when));

        var problem = Single(copy, BrokenRules);

        Assert.Equal(copy.LineOf(BrokenRules, lineText), problem.Line);
        Assert.Equal($"rule 'zz-test': {message}", problem.Message);
    }

    [Theory]
    [InlineData("cap: { target: no-such-factor, band: developing }", "cap target 'no-such-factor' must be 'overall' or a factor id")]
    [InlineData("cap: { target: overall, band: no-such-band }", "cap of rule 'zz-test' names band 'no-such-band', which is not in model.yaml (bands: early, developing, ready, strong)")]
    [InlineData("stage: no-such-stage", "stage 'no-such-stage' is not one of the stages of model.yaml")]
    public void UnknownIdInARuleEffect_IsReportedAtTheEffect(string then, string message)
    {
        using var copy = TestContent.Copy().Write(BrokenRules, Rule("{ answer: cs.activity, is: none }", then));

        var problem = Single(copy, BrokenRules);

        Assert.Equal(copy.LineOf(BrokenRules, then.Split(':')[0] + ":"), problem.Line);
        Assert.Equal(message, problem.Message);
    }

    [Theory]
    [InlineData("invest-steadily-in-rd", "weak")]
    [InlineData("benchmark-certify-and-partner", "middling")]
    public void FactorWithoutWeakOrMiddlingAdvice_IsReportedAtTheFactorInTheModel(string onlyItem, string level)
    {
        // Each is the only owner item for that level of an innovation score.
        using var copy = TestContent.Copy().Replace($"advice/{onlyItem}.md", $"for-score: {level}", "for-score: any");

        var problem = Single(copy, "model.yaml");

        Assert.Equal(copy.LineOf("model.yaml", "      - id: innovation"), problem.Line);
        Assert.Equal($"factor 'innovation' has no advice for owners with 'for-score: {level}' (add one in advice/)", problem.Message);
    }

    [Fact]
    public void BandsOutOfOrder_AreReported()
    {
        using var copy = TestContent.Copy().Replace("model.yaml", "    min: 55", "    min: 30");

        var problem = Single(copy, "model.yaml");

        Assert.Contains("band 'ready' must start above band 'developing'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FocusOnAPillarThatDoesNotExist_IsReported()
    {
        using var copy = TestContent.Copy().Replace("model.yaml", "focus: [prospects, competencies, knowledge]", "focus: [prospects, skills]");

        var problem = Single(copy, "model.yaml");

        Assert.Equal(copy.LineOf("model.yaml", "focus: [prospects, skills]"), problem.Line);
        Assert.StartsWith("focus 'skills' of stage group 'not-yet-considering' is not a pillar", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownSource_IsReported()
    {
        const string file = "questionnaire/current-scenario.yaml";
        using var copy = TestContent.Copy().Replace(file, "source: { id: bose, section: \"Results: capacity building\" }", "source: { id: bose-2099, section: \"Results: capacity building\" }");

        var problem = Single(copy, file);

        Assert.Equal(copy.LineOf(file, "source: { id: bose-2099"), problem.Line);
        Assert.Equal("source 'bose-2099' is not listed in sources.yaml", problem.Message);
    }

    [Fact]
    public void InvalidYaml_IsReportedWithItsLine()
    {
        using var copy = TestContent.Copy().Write("rules/zz-syntax.yaml", "rules:\n  - id: zz-x\n    explain: \"unclosed\n    when: {}\n");

        var problem = Single(copy, "rules/zz-syntax.yaml");

        Assert.StartsWith("is not valid YAML", problem.Message, StringComparison.Ordinal);
        Assert.True(problem.Line >= 3, $"line {problem.Line}");
    }

    [Fact]
    public void AdviceInAFileOfAnotherName_IsReported()
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Content, "advice", "weigh-benefits-and-barriers.md"));
        using var copy = TestContent.Copy().Delete("advice/weigh-benefits-and-barriers.md").Write("advice/weigh-benefits.md", text);

        var problem = Single(copy, "advice/weigh-benefits.md");

        Assert.Equal(2, problem.Line);
        Assert.Equal("the file of advice 'weigh-benefits-and-barriers' must be named weigh-benefits-and-barriers.md", problem.Message);
    }

    [Fact]
    public void AdviceNoRuleUses_IsReported()
    {
        using var copy = TestContent.Copy().Write("advice/zz-orphan.md", """
            ---
            id: zz-orphan
            factor: capacity
            title: Orphan
            audience: owner
            for-score: any
            summary: Nobody links to it.
            sources:
              - { id: bose, section: "Results" }
            ---
            Body.
            """);

        var problem = Single(copy, "advice/zz-orphan.md");

        Assert.Equal("advice 'zz-orphan' is not advised or scheduled by any rule, so nobody would ever see it", problem.Message);
    }

    [Fact]
    public void BadPersonaAnswer_NamesThePersonaFileAndLine()
    {
        using var copy = TestContent.Copy().Write("personas/zz-test.json", """
            {
              "id": "zz-test",
              "name": "Test",
              "source": { "id": "bose", "section": "Results" },
              "rationale": "Test.",
              "expected": { "stage": "pre-export", "flags": [], "top-advice": [] },
              "profile": { "sector": "manufacturing" },
              "answers": { "cs.activity": "sometimes" }
            }
            """);

        var problem = Single(copy, "personas/zz-test.json");

        Assert.Equal(8, problem.Line);
        Assert.Contains("answers.cs.activity: 'sometimes' is not an option", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SeveralProblems_AreAllReportedTogether()
    {
        using var copy = TestContent.Copy()
            .Write(BrokenRules, Rule("{ answer: cs.no-such-question, is: none }"))
            .Replace("questionnaire/current-scenario.yaml", "source: { id: bose, section: \"Results: capacity building\" }", "source: { id: bose-2099 }")
            .Replace("model.yaml", "    min: 55", "    min: 30");

        var problems = copy.Load().Problems;

        Assert.Contains(problems, p => p.File == BrokenRules);
        Assert.Contains(problems, p => p.File == "questionnaire/current-scenario.yaml");
        Assert.Contains(problems, p => p.File == "model.yaml");
    }

    [Fact]
    public void MissingContentFolder_IsOneClearProblem()
    {
        var result = ContentCatalog.TryLoad(Path.Combine(Path.GetTempPath(), "no-such-content-" + Guid.NewGuid()));

        var problem = Assert.Single(result.Problems);
        Assert.Equal("the content folder does not exist", problem.Message);
    }

    private static string Rule(string when, string then = "flag: zz-test-flag") => $$"""
        flags:
          - { id: zz-test-flag, name: Test flag, description: Raised by a test rule. }
        rules:
          - id: zz-test
            explain: A rule written by a test.
            when: {{when}}
            then:
              {{then}}
              triage: 1
          - id: zz-raise
            explain: Raises the test flag so it is used.
            when: { answer: cs.activity, is: none }
            then:
              flag: zz-test-flag
        """;

    private static ContentProblem Single(ContentCopy copy, string file)
    {
        var result = copy.Load();
        Assert.False(result.Succeeded);
        var problems = result.Problems.Where(p => p.File == file).ToList();
        Assert.True(problems.Count == 1, $"Expected one problem in {file}, got:\n{string.Join("\n", result.Problems)}");
        Assert.True(result.Problems.Count == 1, $"Problems elsewhere too:\n{string.Join("\n", result.Problems)}");
        return problems[0];
    }
}
