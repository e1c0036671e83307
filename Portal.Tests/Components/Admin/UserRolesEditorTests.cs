using Bunit;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Admin;

namespace Portal.Tests.Components.Admin;

public sealed class UserRolesEditorTests : BunitContext
{
    private IRenderedComponent<UserRolesEditor> Render(IReadOnlyList<string> roles, Func<IReadOnlyList<string>, Task<string?>> onSave) =>
        Render<UserRolesEditor>(p => p
            .Add(c => c.Key, "u1")
            .Add(c => c.Email, "person@example.org")
            .Add(c => c.Roles, roles)
            .Add(c => c.OnSave, onSave));

    [Fact]
    public void Shows_OneLabelledCheckboxPerRole_WithCurrentRolesTicked()
    {
        var editor = Render([PortalRoles.Owner], _ => Task.FromResult<string?>(null));

        var boxes = editor.FindAll("input[type=checkbox]");
        Assert.Equal(4, boxes.Count);
        foreach (var role in PortalRoles.All)
        {
            var box = editor.Find($"#role-u1-{role}");
            Assert.Equal(role == PortalRoles.Owner, box.HasAttribute("checked"));
            Assert.Equal(PortalRoles.DisplayName(role), editor.Find($"label[for='role-u1-{role}']").TextContent);
        }

        Assert.Contains("person@example.org", editor.Find("legend").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_IsDisabledUntilSomethingChanges()
    {
        var editor = Render([PortalRoles.Owner], _ => Task.FromResult<string?>(null));

        Assert.True(editor.Find("button").HasAttribute("disabled"));
        editor.Find($"#role-u1-{PortalRoles.Advisor}").Change(true);
        Assert.False(editor.Find("button").HasAttribute("disabled"));
        editor.Find($"#role-u1-{PortalRoles.Advisor}").Change(false);
        Assert.True(editor.Find("button").HasAttribute("disabled"));
    }

    [Fact]
    public void Save_SendsTheChosenRolesInCanonicalOrder_AndConfirms()
    {
        IReadOnlyList<string>? saved = null;
        var editor = Render([PortalRoles.Admin], roles => { saved = roles; return Task.FromResult<string?>(null); });

        editor.Find($"#role-u1-{PortalRoles.Owner}").Change(true);
        editor.Find("button").Click();

        Assert.Equal([PortalRoles.Owner, PortalRoles.Admin], saved);
        Assert.Equal("Saved", editor.Find("[role=status]").TextContent);
        Assert.True(editor.Find("button").HasAttribute("disabled"));
    }

    [Fact]
    public void Save_Refused_ShowsTheReasonAndRestoresTheBoxes()
    {
        var editor = Render([PortalRoles.Admin], _ => Task.FromResult<string?>("This is the only Admin."));

        editor.Find($"#role-u1-{PortalRoles.Admin}").Change(false);
        editor.Find("button").Click();

        Assert.Equal("This is the only Admin.", editor.Find("[role=status]").TextContent);
        Assert.True(editor.Find($"#role-u1-{PortalRoles.Admin}").HasAttribute("checked"));
    }
}
