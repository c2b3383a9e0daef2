namespace HealthCode.Api.Infrastructure.Settings;

/// <summary>
/// A setting the service cannot start with that no options attribute describes (a key folder that is not there, a
/// sample key outside Development, an operator key too short): its message is the one line an operator reads, naming
/// the setting and what to do (<see cref="SettingsProblems"/>).
/// </summary>
internal sealed class SettingException(string message) : InvalidOperationException(message);
