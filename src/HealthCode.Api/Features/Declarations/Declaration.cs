namespace HealthCode.Api.Features.Declarations;

// The self-declaration of DESIGN §5, as it arrives over HTTP. Every field is nullable so that a
// missing one is reported by the validator with its own field name, not by the JSON binder.

/// <summary>A resident's self-declaration (DESIGN §5).</summary>
public sealed record Declaration(
    string? Name,
    string? IdNumber,
    string? Phone,
    string? Region,
    IReadOnlyList<TravelEntry>? Travel,
    IReadOnlyList<string>? Symptoms,
    decimal? Temperature,
    ContactDeclaration? Contact,
    TestDeclaration? LastTest);

/// <summary>A stay in a region over the last 14 days.</summary>
public sealed record TravelEntry(string? Region, DateOnly? From, DateOnly? To);

/// <summary>Contact with cases, as the resident declares it.</summary>
public sealed record ContactDeclaration(bool? ConfirmedCase, bool? SuspectedCase, bool? CloseContactNotice);

/// <summary>The resident's last nucleic-acid test; <c>Result</c> is <c>negative</c> or <c>positive</c>.</summary>
public sealed record TestDeclaration(string? Result, DateTimeOffset? At);
