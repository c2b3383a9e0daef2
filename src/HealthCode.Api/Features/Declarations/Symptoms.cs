namespace HealthCode.Api.Features.Declarations;

/// <summary>The fixed symptom vocabulary of DESIGN §5, in the order reasons list them.</summary>
internal static class Symptoms
{
    public static readonly IReadOnlyList<string> Vocabulary =
    [
        "fever",
        "cough",
        "fatigue",
        "sore_throat",
        "loss_of_taste_smell",
        "shortness_of_breath",
        "diarrhea",
    ];

    public static bool IsKnown(string? symptom) =>
        symptom is not null && Vocabulary.Contains(symptom, StringComparer.Ordinal);
}
