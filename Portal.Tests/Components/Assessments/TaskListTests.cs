using Bunit;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Assessments;

namespace Portal.Tests.Components.Assessments;

public sealed class TaskListTests : BunitContext
{
    [Fact]
    public void EachSection_ShowsItsState_AndLinksToItsPage()
    {
        var sections = TestContent.Real.Questionnaire.Sections;
        var tasks = new List<SectionTask>
        {
            new(sections[0], TaskState.Completed, 8, 8, 0),
            new(sections[1], TaskState.InProgress, 3, 8, 5),
            new(sections[2], TaskState.NotStarted, 0, 7, 7),
        };

        var list = Render<TaskList>(p => p.Add(c => c.Tasks, tasks));

        Assert.Equal(["Completed", "In progress", "Not started"], list.FindAll(".tag").Select(t => t.TextContent));
        Assert.Equal($"assessment/section/{sections[1].Id}", list.Find($"[data-section='{sections[1].Id}'] a").GetAttribute("href"));
        Assert.Equal($"status-{sections[1].Id}", list.Find($"[data-section='{sections[1].Id}'] a").GetAttribute("aria-describedby"));
        Assert.Contains("3 of 8 answered", list.Find($"[data-section='{sections[1].Id}']").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutADraft_OnlyTheProfileLinks()
    {
        var sections = TestContent.Real.Questionnaire.Sections;
        var tasks = sections.Take(3).Select(s => new SectionTask(s, TaskState.NotStarted, 0, 1, 1)).ToList();

        var list = Render<TaskList>(p => p.Add(c => c.Tasks, tasks).Add(c => c.Editable, false));

        Assert.Single(list.FindAll("a"));
        Assert.Equal("assessment/section/profile", list.Find("a").GetAttribute("href"));
    }
}
