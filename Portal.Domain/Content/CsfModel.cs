namespace Portal.Domain.Content;

/// <summary>A citation of a work in sources.yaml, with the section of the paper it rests on.</summary>
public sealed record SourceRef(string SourceId, string? Section);

/// <summary>An entry of sources.yaml.</summary>
public sealed record Source(string Id, string Short, string Citation, string? Seed, string? ReportedBy, string? Note);

/// <summary>A score band (model.yaml); <see cref="Rank"/> 0 is the lowest.</summary>
public sealed record Band(string Id, string Name, double Min, string Meaning, int Rank);

/// <summary>One of Bose's three groups; <see cref="Focus"/> lists the pillars whose advice comes first for it.</summary>
public sealed record StageGroup(string Id, string Name, string Description, IReadOnlyList<string> Focus);

/// <summary>A stage of internationalization; a higher <see cref="Rank"/> is more advanced.</summary>
public sealed record Stage(string Id, string GroupId, string Name, string Description, int Rank)
{
    public int GroupIndex(CsfModel model)
    {
        for (var i = 0; i < model.StageGroups.Count; i++)
        {
            if (model.StageGroups[i].Id == GroupId)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>A factor score below <see cref="Below"/> caps the overall band at <see cref="CapBandId"/>.</summary>
public sealed record Knockout(double Below, string CapBandId);

/// <summary>A flag that rules (or the engine) raise; advisors filter on flags.</summary>
public sealed record FlagDefinition(string Id, string Name, string Description, int Index);

/// <summary>A critical success factor; also the scored section of the questionnaire with the same id.</summary>
public sealed class Factor
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string Description { get; init; }

    /// <summary>Share of its pillar, in percent.</summary>
    public required double Weight { get; init; }

    /// <summary>Below this score the factor is shown as a gap.</summary>
    public required double Threshold { get; init; }

    public Knockout? Knockout { get; init; }

    public Pillar Pillar { get; internal set; } = default!;

    /// <summary>Position in <see cref="CsfModel.Factors"/>.</summary>
    public int Index { get; internal set; }

    /// <summary>Share of the overall score, in percent (pillar weight x factor weight).</summary>
    public double OverallWeight => Pillar.Weight * Weight / 100.0;
}

public sealed class Pillar
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string Description { get; init; }

    /// <summary>Share of the overall score, in percent.</summary>
    public required double Weight { get; init; }

    public required IReadOnlyList<Factor> Factors { get; init; }

    public int Index { get; internal set; }
}

/// <summary>model.yaml: the critical-success-factor model the portal scores against.</summary>
public sealed class CsfModel
{
    public const string DontKnowFlag = "dont-know-answers";

    public required string Version { get; init; }

    public required IReadOnlyList<Pillar> Pillars { get; init; }

    public required IReadOnlyList<Factor> Factors { get; init; }

    /// <summary>Ascending by <see cref="Band.Min"/>.</summary>
    public required IReadOnlyList<Band> Bands { get; init; }

    public required IReadOnlyList<StageGroup> StageGroups { get; init; }

    /// <summary>From least to most advanced.</summary>
    public required IReadOnlyList<Stage> Stages { get; init; }

    public required Stage DefaultStage { get; init; }

    public Factor? FindFactor(string id) => Factors.FirstOrDefault(f => f.Id == id);

    public Pillar? FindPillar(string id) => Pillars.FirstOrDefault(p => p.Id == id);

    public Band FindBand(string id) => Bands.First(b => b.Id == id);

    public Stage FindStage(string id) => Stages.First(s => s.Id == id);

    /// <summary>The band a score falls in.</summary>
    public Band BandFor(double score)
    {
        var band = Bands[0];
        foreach (var candidate in Bands)
        {
            if (score >= candidate.Min)
            {
                band = candidate;
            }
        }

        return band;
    }
}
