using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class DashboardIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Assessments_FirmSummary",
                table: "Assessments",
                columns: new[] { "FirmId", "Id", "IsLatest", "OverallScore", "BandId", "StageGroupId" });

            migrationBuilder.CreateIndex(
                name: "IX_AssessmentPlanItems_Plan",
                table: "AssessmentPlanItems",
                columns: new[] { "AssessmentId", "Rank", "AdviceId" });

            migrationBuilder.CreateIndex(
                name: "IX_AssessmentFactorScores_Scores",
                table: "AssessmentFactorScores",
                columns: new[] { "AssessmentId", "FactorId", "Score" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Assessments_FirmSummary",
                table: "Assessments");

            migrationBuilder.DropIndex(
                name: "IX_AssessmentPlanItems_Plan",
                table: "AssessmentPlanItems");

            migrationBuilder.DropIndex(
                name: "IX_AssessmentFactorScores_Scores",
                table: "AssessmentFactorScores");
        }
    }
}
