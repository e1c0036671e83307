namespace Portal.Domain.Content;

internal sealed partial class ContentReader
{
    private Dictionary<string, Source> ReadSources()
    {
        var sources = new Dictionary<string, Source>(StringComparer.Ordinal);
        var file = Load("sources.yaml");
        if (file is null)
        {
            return sources;
        }

        foreach (var entry in file.Objects("sources", required: true))
        {
            var id = Id(entry, "id");
            var source = new Source(
                id ?? "",
                entry.String("short", required: true) ?? "",
                entry.String("citation", required: true) ?? "",
                entry.String("seed"),
                entry.String("reported-by"),
                entry.String("note"));
            entry.RejectUnknown();
            if (id is not null && !sources.TryAdd(id, source))
            {
                entry.Problem($"source '{id}' is listed twice");
            }

            sourceLines[id ?? ""] = entry.Line;
        }

        file.RejectUnknown();
        foreach (var source in sources.Values.Where(s => s.ReportedBy is not null && !sources.ContainsKey(s.ReportedBy)))
        {
            problems.Add("sources.yaml", sourceLines[source.Id], $"source '{source.Id}' is reported by '{source.ReportedBy}', which is not listed");
        }

        return sources;
    }

    private CsfModel? ReadModel()
    {
        const string name = "model.yaml";
        var file = Load(name);
        if (file is null)
        {
            return null;
        }

        var version = file.String("version", required: true) ?? "";
        var pillars = new List<Pillar>();
        var factors = new List<Factor>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in file.Objects("pillars", required: true))
        {
            var pillarFactors = new List<Factor>();
            foreach (var f in p.Objects("factors", required: true))
            {
                Knockout? knockout = null;
                if (f.Object("knockout") is { } k)
                {
                    var below = k.Number("below", required: true) ?? 0;
                    var cap = Id(k, "cap") ?? "";
                    k.RejectUnknown();
                    knockout = new Knockout(below, cap);
                    bandReferences.Add((cap, name, k.Line, $"knock-out of factor '{f.String("id")}'"));
                }

                var factor = new Factor
                {
                    Id = Id(f, "id") ?? "",
                    Name = f.String("name", required: true) ?? "",
                    Description = f.String("description", required: true) ?? "",
                    Weight = Weight(f),
                    Threshold = Percent(f, "threshold", required: true),
                    Knockout = knockout,
                };
                f.RejectUnknown();
                if (!seen.Add(factor.Id))
                {
                    f.Problem($"id '{factor.Id}' is used twice in model.yaml");
                }

                pillarFactors.Add(factor);
                factorLines[factor.Id] = f.Line;
            }

            var pillar = new Pillar
            {
                Id = Id(p, "id") ?? "",
                Name = p.String("name", required: true) ?? "",
                Description = p.String("description", required: true) ?? "",
                Weight = Weight(p),
                Factors = pillarFactors,
                Index = pillars.Count,
            };
            p.RejectUnknown();
            // A pillar may share its id with its only factor (Knowledge): both have the same score.
            var sharesWithOnlyFactor = pillarFactors is [var only] && only.Id == pillar.Id;
            if (!seen.Add(pillar.Id) && !sharesWithOnlyFactor)
            {
                p.Problem($"id '{pillar.Id}' is used twice in model.yaml (a pillar may share its id only with its single factor)");
            }

            foreach (var factor in pillarFactors)
            {
                factor.Pillar = pillar;
                factor.Index = factors.Count;
                factors.Add(factor);
            }

            var sum = pillarFactors.Sum(f => f.Weight);
            if (pillarFactors.Count > 0 && Math.Abs(sum - 100) > 0.001)
            {
                p.Problem($"the weights of the factors of pillar '{pillar.Id}' add up to {sum:0.##}, not 100");
            }

            pillars.Add(pillar);
        }

        var pillarSum = pillars.Sum(p => p.Weight);
        if (pillars.Count > 0 && Math.Abs(pillarSum - 100) > 0.001)
        {
            problems.Add(name, file.LineOf("pillars"), $"the weights of the pillars add up to {pillarSum:0.##}, not 100");
        }

        var bands = new List<Band>();
        foreach (var b in file.Objects("bands", required: true))
        {
            var band = new Band(Id(b, "id") ?? "", b.String("name", required: true) ?? "", Percent(b, "min", required: true),
                b.String("meaning", required: true) ?? "", bands.Count);
            b.RejectUnknown();
            if (bands.Count == 0 && band.Min != 0)
            {
                problems.Add(b.File, b.LineOf("min"), $"the first band must start at 0 (it starts at {band.Min:0.##})");
            }
            else if (bands.Count > 0 && band.Min <= bands[^1].Min)
            {
                problems.Add(b.File, b.LineOf("min"), $"band '{band.Id}' must start above band '{bands[^1].Id}' ({band.Min:0.##} <= {bands[^1].Min:0.##}): list bands from lowest to highest");
            }

            if (bands.Any(x => x.Id == band.Id))
            {
                b.Problem($"band '{band.Id}' is listed twice");
            }

            bands.Add(band);
        }

        var groups = new List<StageGroup>();
        foreach (var g in file.Objects("stage-groups", required: true))
        {
            var focus = g.Has("focus") ? g.Strings("focus") : pillars.Select(p => p.Id).ToList();
            foreach (var pillarId in focus.Where(f => pillars.All(p => p.Id != f)))
            {
                problems.Add(g.File, g.LineOf("focus"), $"focus '{pillarId}' of stage group '{g.String("id")}' is not a pillar (pillars: {string.Join(", ", pillars.Select(p => p.Id))})");
            }

            var group = new StageGroup(Id(g, "id") ?? "", g.String("name", required: true) ?? "", g.String("description", required: true) ?? "", focus);
            g.RejectUnknown();
            if (groups.Any(x => x.Id == group.Id))
            {
                g.Problem($"stage group '{group.Id}' is listed twice");
            }

            groups.Add(group);
        }

        var stages = new List<Stage>();
        foreach (var s in file.Objects("stages", required: true))
        {
            var stage = new Stage(Id(s, "id") ?? "", Id(s, "group") ?? "", s.String("name", required: true) ?? "",
                s.String("description", required: true) ?? "", stages.Count);
            s.RejectUnknown();
            if (stages.Any(x => x.Id == stage.Id) || groups.Any(g => g.Id == stage.Id))
            {
                s.Problem($"stage '{stage.Id}' is listed twice, or has the id of a stage group");
            }

            if (groups.All(g => g.Id != stage.GroupId))
            {
                s.Problem($"stage '{stage.Id}' belongs to group '{stage.GroupId}', which is not in stage-groups");
            }

            stages.Add(stage);
        }

        var defaultStageId = Id(file, "default-stage") ?? "";
        var defaultStage = stages.FirstOrDefault(s => s.Id == defaultStageId);
        if (defaultStage is null && defaultStageId.Length > 0)
        {
            problems.Add(name, file.LineOf("default-stage"), $"default-stage '{defaultStageId}' is not one of the stages");
        }

        foreach (var f in file.Objects("flags"))
        {
            ReadFlag(f, engineFlag: true);
        }

        file.RejectUnknown();
        if (engineFlags.All(f => f.Id != CsfModel.DontKnowFlag))
        {
            problems.Add(name, file.LineOf("flags"), $"flags must declare '{CsfModel.DontKnowFlag}', the flag the engine raises for \"don't know\" answers");
        }

        if (bands.Count == 0 || stages.Count == 0 || defaultStage is null)
        {
            return null;
        }

        return new CsfModel
        {
            Version = version,
            Pillars = pillars,
            Factors = factors,
            Bands = bands,
            StageGroups = groups,
            Stages = stages,
            DefaultStage = defaultStage,
        };
    }

    private void ReadFlag(YamlObject f, bool engineFlag)
    {
        var id = Id(f, "id") ?? "";
        var flag = new FlagDefinition(id, f.String("name", required: true) ?? "", f.String("description", required: true) ?? "", 0);
        f.RejectUnknown();
        if (flagLines.ContainsKey(id))
        {
            f.Problem($"flag '{id}' is declared twice (also at {flagLines[id]})");
            return;
        }

        flagLines[id] = $"{f.File}:{f.Line}";
        (engineFlag ? engineFlags : ruleFlags).Add(flag);
    }

    private static double Weight(YamlObject o)
    {
        var weight = o.Number("weight", required: true) ?? 0;
        if (weight is < 0 or > 100)
        {
            o.Problem($"weight must be between 0 and 100 (it is {weight:0.##})");
        }

        return weight;
    }

    private static double Percent(YamlObject o, string key, bool required)
    {
        var value = o.Number(key, required) ?? 0;
        if (value is < 0 or > 100)
        {
            o.Problem($"'{key}' must be between 0 and 100 (it is {value:0.##})");
        }

        return value;
    }
}
