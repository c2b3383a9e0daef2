namespace HealthCode.Trust;

/// <summary>The colour of a health code, as carried in the token and shown at checkpoints.</summary>
public enum CodeColor
{
    /// <summary>No known risk: passes every checkpoint.</summary>
    Green,

    /// <summary>Some risk (symptoms, a medium-risk region, a missing test): restricted.</summary>
    Yellow,

    /// <summary>High risk (a case, a close contact, a high-risk region): stopped.</summary>
    Red,
}
