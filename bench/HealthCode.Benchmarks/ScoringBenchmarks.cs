using System.Text.Json;
using BenchmarkDotNet.Attributes;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Infrastructure.Http;
using HealthCode.Trust;

namespace HealthCode.Benchmarks;

/// <summary>Scoring a declaration against reading it from JSON, the cost every request pays anyway.</summary>
[MemoryDiagnoser]
public class ScoringBenchmarks
{
    private string json = null!;
    private Declaration declaration = null!;
    private RiskScorer scorer = null!;
    private DeclarationValidator validator = null!;
    private ResidentHistory history = null!;

    [GlobalSetup]
    public void Setup()
    {
        declaration = Samples.TypicalDeclaration();
        json = JsonSerializer.Serialize(declaration, StrictJson.Options);
        scorer = new RiskScorer(RiskPolicy.Load(Path.Combine(AppContext.BaseDirectory, "Policy", "risk-policy.v1.json")));
        validator = new DeclarationValidator();
        history = new ResidentHistory([.. Enumerable.Range(1, 10).Select(d => new PastDeclaration(Samples.Today.AddDays(-d), CodeColor.Green, false))]);
    }

    [Benchmark(Baseline = true, Description = "deserialize the declaration (JSON)")]
    public Declaration? Deserialize() => JsonSerializer.Deserialize<Declaration>(json, StrictJson.Options);

    [Benchmark(Description = "DeclarationValidator.Validate")]
    public int Validate() => validator.Validate(declaration, Samples.Today).Count;

    [Benchmark(Description = "RiskScorer.Score (10 days of history)")]
    public CodeColor Score() => scorer.Score(declaration, history, Samples.Today).Color;
}
