using Portal.Domain.Questionnaires;
using Portal.Domain.Rules;

namespace Portal.Domain.Content;

internal sealed partial class ContentReader
{
    private const int MaxMultipleOptions = 64;

    private List<Section> ReadSections(CsfModel? model)
    {
        var sections = new List<Section>();
        var folder = Path.Combine(directory, "questionnaire");
        if (!Directory.Exists(folder))
        {
            problems.Add("questionnaire/", 0, "the folder is missing");
            return sections;
        }

        foreach (var path in Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal))
        {
            var name = current = Relative(path);
            var file = ReadYaml(path, name);
            if (file is null)
            {
                continue;
            }

            var id = Id(file, "section") ?? "";
            var factor = model?.FindFactor(id);
            if (id != Section.ProfileId && factor is null && model is not null)
            {
                problems.Add(name, file.LineOf("section"), $"section '{id}' is neither 'profile' nor a factor of model.yaml");
            }

            if (Path.GetFileNameWithoutExtension(path) != id && id.Length > 0)
            {
                problems.Add(name, file.LineOf("section"), $"the file of section '{id}' must be named {id}.yaml");
            }

            var prefix = file.String("prefix") ?? "";
            if (id != Section.ProfileId && prefix.Length == 0)
            {
                problems.Add(name, file.Line, "'prefix' is missing (question ids of a scored section start with it and a dot)");
            }

            // Scored unless it is the profile, even when the model could not be read: one mistake
            // in model.yaml must not turn every option's points into a problem too.
            var questions = file.Objects("questions", required: true).Select(q => ReadQuestion(q, id, prefix, scored: id != Section.ProfileId)).ToList();
            var section = new Section
            {
                Id = id,
                Title = file.String("title", required: true) ?? "",
                Intro = file.String("intro", required: true) ?? "",
                Prefix = prefix,
                Questions = questions,
                Factor = factor,
                File = name,
            };
            file.RejectUnknown();
            foreach (var question in questions)
            {
                question.Section = section;
            }

            if (sections.Any(s => s.Id == id))
            {
                problems.Add(name, file.LineOf("section"), $"section '{id}' is defined twice");
                continue;
            }

            sections.Add(section);
        }

        if (sections.All(s => s.Id != Section.ProfileId))
        {
            problems.Add("questionnaire/", 0, "profile.yaml (the firm profile section) is missing");
        }

        foreach (var factor in model?.Factors ?? [])
        {
            if (sections.All(s => s.Id != factor.Id))
            {
                problems.Add("questionnaire/", 0, $"factor '{factor.Id}' has no section: add questionnaire/{factor.Id}.yaml");
            }
        }

        // The profile first, then the factors in the order of the model.
        return sections
            .OrderBy(s => s.IsProfile ? -1 : model!.Factors.ToList().FindIndex(f => f.Id == s.Id))
            .ToList();
    }

    private Question ReadQuestion(YamlObject q, string sectionId, string prefix, bool scored)
    {
        var id = q.String("id", required: true) ?? "";
        if (id.Length > 0)
        {
            var expected = prefix.Length > 0 ? prefix + "." : "";
            var local = id.StartsWith(expected, StringComparison.Ordinal) ? id[expected.Length..] : null;
            if (local is null || !IsId(local))
            {
                q.Problem(prefix.Length > 0
                    ? $"question id '{id}' must be '{prefix}.' followed by lower-case words joined by hyphens"
                    : $"question id '{id}' must be lower-case words joined by hyphens");
            }
        }

        if (!questionLines.TryAdd(id, $"{q.File}:{q.Line}"))
        {
            q.Problem($"question id '{id}' is used twice (also at {questionLines[id]})");
        }

        var kindText = q.String("kind", required: true);
        var kind = kindText switch
        {
            "single" => QuestionKind.Single,
            "multiple" => QuestionKind.Multiple,
            "scale" => QuestionKind.Scale,
            "number" => QuestionKind.Number,
            "countries" => QuestionKind.Countries,
            null => QuestionKind.Single,
            _ => Unknown(),
        };

        QuestionKind Unknown()
        {
            q.Problem($"kind '{kindText}' is not one of single, multiple, scale, number, countries");
            return QuestionKind.Single;
        }

        var sources = ReadSourceRefs(q, required: true);
        var weight = q.Number("weight") ?? 1;
        if (weight < 0)
        {
            q.Problem("weight must be 0 or more");
        }

        var showIf = q.Object("show-if") is { } showIfNode ? ReadCondition(showIfNode, showIf: true) : null;
        var options = new List<QuestionOption>();
        foreach (var o in q.Objects("options", required: kind is QuestionKind.Single or QuestionKind.Multiple))
        {
            var optionId = Id(o, "id") ?? "";
            var points = o.Number("points");
            if (scored && points is null)
            {
                o.Problem($"option '{optionId}' of question '{id}' has no points");
            }
            else if (!scored && points is not null)
            {
                o.Problem($"option '{optionId}' of question '{id}' has points, but the profile is not scored");
            }
            else if (points < 0)
            {
                o.Problem($"option '{optionId}' of question '{id}' has negative points; use 0 for the least ready answer");
            }

            var exclusive = o.Bool("exclusive") ?? false;
            if (exclusive && kind != QuestionKind.Multiple)
            {
                o.Problem("'exclusive' applies to multiple-choice options only");
            }

            if (optionId == Question.DontKnow)
            {
                o.Problem("do not add a 'dont-know' option: write 'dont-know: true' on the question");
            }

            if (options.Any(x => x.Id == optionId))
            {
                o.Problem($"option '{optionId}' is listed twice in question '{id}'");
            }

            options.Add(new QuestionOption(optionId, o.String("label", required: true) ?? "", points ?? 0, exclusive, options.Count));
            o.RejectUnknown();
        }

        if (kind is QuestionKind.Single or QuestionKind.Multiple && options.Count < 2 && q.Has("options"))
        {
            q.Problem($"question '{id}' needs at least two options");
        }

        if (kind is QuestionKind.Single or QuestionKind.Multiple && options.Count > MaxMultipleOptions)
        {
            q.Problem($"question '{id}' has {options.Count} options; a choice question may have at most {MaxMultipleOptions}");
        }

        if (kind is not (QuestionKind.Single or QuestionKind.Multiple) && options.Count > 0)
        {
            q.Problem($"a {kindText} question has no options");
        }

        ScaleLabels? scale = null;
        if (q.Object("scale", required: kind == QuestionKind.Scale) is { } s)
        {
            scale = new ScaleLabels(s.String("min-label", required: true) ?? "", s.String("max-label", required: true) ?? "");
            s.RejectUnknown();
            if (kind != QuestionKind.Scale)
            {
                s.Problem("'scale' applies to scale questions only");
            }
        }

        NumberRange? number = null;
        if (q.Object("number", required: kind == QuestionKind.Number) is { } n)
        {
            number = new NumberRange(n.Number("min", required: true) ?? 0, n.Number("max", required: true) ?? 0, n.Bool("integer") ?? false, n.String("unit"));
            n.RejectUnknown();
            if (number.Max <= number.Min)
            {
                n.Problem($"number.max ({number.Max:0.##}) must be greater than number.min ({number.Min:0.##})");
            }

            if (kind != QuestionKind.Number)
            {
                n.Problem("'number' applies to number questions only");
            }
        }

        int? maxCountries = null;
        if (q.Object("countries") is { } c)
        {
            var max = c.Number("max");
            c.RejectUnknown();
            if (max is < 1 || max is { } m && m != Math.Floor(m))
            {
                c.Problem("countries.max must be a whole number of at least 1");
            }

            maxCountries = max is null ? null : (int)max.Value;
            if (kind != QuestionKind.Countries)
            {
                c.Problem("'countries' applies to countries questions only");
            }
        }

        var thresholds = new List<Threshold>();
        foreach (var t in q.Objects("thresholds"))
        {
            var threshold = new Threshold(t.Number("at-least", required: true) ?? 0, t.Number("points", required: true) ?? 0);
            t.RejectUnknown();
            if (thresholds.Count > 0 && threshold.AtLeast <= thresholds[^1].AtLeast)
            {
                t.Problem("thresholds must be listed with 'at-least' increasing");
            }

            if (threshold.Points < 0)
            {
                t.Problem("threshold points must be 0 or more");
            }

            thresholds.Add(threshold);
        }

        if (thresholds.Count > 0 && kind is not (QuestionKind.Number or QuestionKind.Countries))
        {
            q.Problem("'thresholds' apply to number and countries questions only");
        }

        if (scored && kind is QuestionKind.Number or QuestionKind.Countries && thresholds.Count == 0 && weight > 0)
        {
            q.Problem($"question '{id}' is scored but has no thresholds (or give it weight: 0)");
        }

        var maxPoints = q.Number("max-points");
        if (maxPoints is not null && kind != QuestionKind.Multiple)
        {
            q.Problem("'max-points' applies to multiple-choice questions only");
        }
        else if (maxPoints is { } cap && cap > options.Where(o => o.Points > 0 && !o.Exclusive).Sum(o => o.Points))
        {
            q.Problem($"max-points {cap:0.##} is more than all the options together can earn ({options.Where(o => o.Points > 0 && !o.Exclusive).Sum(o => o.Points):0.##}), so no answer could score full marks");
        }

        var reachable = kind == QuestionKind.Number ? number?.Max : kind == QuestionKind.Countries ? maxCountries ?? Countries.Names.Count : null;
        if (reachable is { } top && thresholds.FirstOrDefault(t => t.AtLeast > top) is { } beyond)
        {
            q.Problem($"the threshold at {beyond.AtLeast:0.##} can never be reached: the answer is at most {top:0.##}");
        }

        var dontKnow = q.Bool("dont-know") ?? false;
        var question = new Question
        {
            Id = id,
            Kind = kind,
            Text = q.String("text", required: true) ?? "",
            Help = q.String("help", required: true) ?? "",
            Sources = sources,
            Weight = weight,
            Required = q.Bool("required") ?? true,
            OffersDontKnow = dontKnow,
            ShowIf = showIf,
            Options = options,
            Scale = scale,
            Number = number,
            Thresholds = thresholds,
            MaxCountries = maxCountries,
            MaxPointsSetting = maxPoints,
            Line = q.Line,
        };
        q.RejectUnknown("source", "sources");
        if (scored && weight > 0 && question.MaxPoints <= 0)
        {
            q.Problem($"question '{id}' can earn no points; give an option points or the question weight: 0");
        }

        if (showIf is not null)
        {
            conditionOwners[showIf] = ($"question '{id}'", q.File, q.LineOf("show-if"));
        }

        return question;
    }
}
