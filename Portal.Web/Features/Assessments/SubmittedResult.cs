using Portal.Domain.Content;
using Portal.Domain.Scoring;
using Portal.Web.Data.Entities;

namespace Portal.Web.Features.Assessments;

/// <summary>
/// What submitting stores besides the assessment row: the factor scores, flags and action-plan
/// rows that queues and cohort figures count in the database, and the report the follow-ups
/// are planned from. Made in one place, so the owner's submission and the synthetic data
/// generator store a result the same way.
/// </summary>
public sealed record SubmittedResult(
    AssessmentReport Report,
    IReadOnlyList<AssessmentFactorScore> FactorScores,
    IReadOnlyList<AssessmentFlag> Flags,
    IReadOnlyList<AssessmentPlanItem> PlanItems)
{
    /// <summary>
    /// Scores the answers with the content and records them and the result on the assessment as
    /// submitted at <paramref name="submittedAt"/>: the answers and the full result as JSON, with the
    /// content version, and the summary columns. Which assessment is the firm's latest is the caller's.
    /// </summary>
    public static SubmittedResult Record(PortalContent content, Assessment assessment, AnswerSet answers, DateTime submittedAt)
    {
        var report = AssessmentReport.From(Assessor.Assess(content, answers));
        assessment.Status = AssessmentStatus.Submitted;
        assessment.SubmittedAt = submittedAt;
        assessment.UpdatedAt = submittedAt;
        assessment.ContentVersion = content.Version;
        assessment.AnswersJson = answers.ToJsonString();
        assessment.ResultJson = report.ToJson();
        assessment.OverallScore = report.Overall.Score;
        assessment.BandId = report.Overall.Band?.Id;
        assessment.StageId = report.Stage.Id;
        assessment.StageGroupId = report.Stage.Group;
        assessment.TriagePriority = report.TriagePriority;
        return new SubmittedResult(
            report,
            report.Factors.Select(f => new AssessmentFactorScore { AssessmentId = assessment.Id, FactorId = f.Id, Score = f.Score }).ToList(),
            report.Flags.Select(f => new AssessmentFlag { AssessmentId = assessment.Id, FlagId = f.Id }).ToList(),
            report.ActionPlan.Select(p => new AssessmentPlanItem { AssessmentId = assessment.Id, AdviceId = p.Advice, Rank = p.Rank }).ToList());
    }
}
