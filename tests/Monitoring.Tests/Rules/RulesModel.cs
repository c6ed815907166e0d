using Forge.Monitoring.Tests.Support;

namespace Forge.Monitoring.Tests.Rules;

internal sealed record RuleModel(
    string Group,
    string? Alert,
    string? Record,
    string Expr,
    string? For,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations);

/// <summary>A Prometheus rules file, read into plain records.</summary>
internal sealed record RulesModel(IReadOnlyList<RuleModel> Rules)
{
    public static RulesModel Load(string path)
    {
        var rules = new List<RuleModel>();
        foreach (var group in Yaml.Seq(Yaml.Get(Yaml.Load(path), "groups")))
        {
            var name = Yaml.Str(group, "name") ?? "";
            foreach (var rule in Yaml.Seq(Yaml.Get(group, "rules")))
            {
                rules.Add(new RuleModel(
                    name,
                    Yaml.Str(rule, "alert"),
                    Yaml.Str(rule, "record"),
                    Yaml.Str(rule, "expr") ?? throw new InvalidDataException($"a rule of {name} has no expr"),
                    Yaml.Str(rule, "for"),
                    Strings(Yaml.Get(rule, "labels")),
                    Strings(Yaml.Get(rule, "annotations"))));
            }
        }

        return new RulesModel(rules);
    }

    public RuleModel Alert(string name) =>
        Rules.SingleOrDefault(r => r.Alert == name) ?? throw new Xunit.Sdk.XunitException($"no alert {name} in the rules file");

    private static Dictionary<string, string> Strings(object? node) =>
        node is null
            ? new Dictionary<string, string>()
            : Yaml.Map(node).ToDictionary(kv => (string)kv.Key, kv => kv.Value as string ?? "");
}

/// <summary>What promtool's unit test files exercise: alerts expected to fire, to stay silent, and expressions.</summary>
internal sealed record PromtoolTestsModel(IReadOnlySet<string> Fires, IReadOnlySet<string> Silent, IReadOnlyList<string> Expressions)
{
    public static PromtoolTestsModel Load(IEnumerable<string> files)
    {
        var fires = new HashSet<string>(StringComparer.Ordinal);
        var silent = new HashSet<string>(StringComparer.Ordinal);
        var exprs = new List<string>();
        foreach (var file in files)
        {
            foreach (var test in Yaml.Seq(Yaml.Get(Yaml.Load(file), "tests")))
            {
                foreach (var alertTest in Yaml.Get(test, "alert_rule_test") is { } a ? Yaml.Seq(a) : [])
                {
                    var name = Yaml.Str(alertTest, "alertname") ?? "";
                    var expected = Yaml.Get(alertTest, "exp_alerts") is { } e ? Yaml.Seq(e) : [];
                    (expected.Count > 0 ? fires : silent).Add(name);
                }

                foreach (var exprTest in Yaml.Get(test, "promql_expr_test") is { } p ? Yaml.Seq(p) : [])
                {
                    exprs.Add(Yaml.Str(exprTest, "expr") ?? "");
                }
            }
        }

        return new PromtoolTestsModel(fires, silent, exprs);
    }
}
