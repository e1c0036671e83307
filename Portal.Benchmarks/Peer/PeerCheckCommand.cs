using System.Diagnostics;

namespace Portal.Benchmarks.Peer;

/// <summary>
/// <c>peer-check [--assessments N] [--fast-expression-compiler] [--show RULE]</c>: the translation's workflows, and whether
/// both engines agree on N persona-based assessments. Not a measurement (that is
/// <see cref="PeerScoringBenchmarks"/>); a quick look for whoever changes the content or the translation.
/// </summary>
public static class PeerCheckCommand
{
    public static int Run(string[] args, TextWriter output)
    {
        var count = args.Length >= 2 && args[0] == "--assessments" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200;
        var show = args.Length >= 2 && args[^2] == "--show" ? args[^1] : null;
        var content = BenchmarkContent.Load();
        var clock = Stopwatch.StartNew();
        var peer = new PeerScorer(content, PeerScorer.Settings(fastExpressionCompiler: args.Contains("--fast-expression-compiler")));
        peer.Compile();
        output.WriteLine($"translated and compiled in {clock.ElapsedMilliseconds} ms:");
        foreach (var workflow in peer.Translation.Workflows)
        {
            var rules = workflow.Rules.ToList();
            output.WriteLine($"  {workflow.WorkflowName,-14} {rules.Count,4} rules, {rules.Sum(r => r.Expression.Length + (r.LocalParams?.Sum(p => p.Expression.Length) ?? 0)),7} characters of expressions");
            foreach (var rule in rules.Where(r => r.RuleName == show))
            {
                output.WriteLine($"    {rule.RuleName}: {rule.Expression}");
                foreach (var param in rule.LocalParams ?? [])
                {
                    output.WriteLine($"      {param.Name} = {param.Expression}");
                }
            }
        }

        var assessments = PersonaAssessments.Generate(content, count);
        var inputs = assessments.Select(peer.Prepare).ToArray();
        var differences = PeerCheck.Differences(content, peer, assessments, inputs);
        var outcomes = inputs.Select(peer.Score).ToList();
        output.WriteLine($"{count} assessments: {differences.Count} differences; rules that fired at least once: {Enumerable.Range(0, content.Rules.Count).Count(r => outcomes.Any(o => o.Fired[r]))} of {content.Rules.Count}; "
            + $"{outcomes.Average(o => o.Fired.Count(f => f)):0.0} fired and {outcomes.Average(o => o.Plan.Length):0.0} plan items on average; stages: "
            + string.Join(", ", outcomes.GroupBy(o => o.Stage).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}")));
        foreach (var difference in differences.Take(20))
        {
            output.WriteLine("  " + difference);
        }

        return differences.Count == 0 ? 0 : 1;
    }
}
