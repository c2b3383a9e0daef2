using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;

namespace HealthCode.Api.Infrastructure.Auth;

/// <summary>
/// The operator credential, <c>HealthCode:Admin:ApiKey</c> (DESIGN §5). In Development, when none
/// is set, one is generated and printed at start-up; anywhere else a missing key stops start-up.
/// </summary>
internal sealed partial class OperatorKey
{
    public OperatorKey(IOptions<HealthCodeOptions> options, IHostEnvironment environment, ILogger<OperatorKey> logger)
    {
        var configured = options.Value.Admin.ApiKey;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            if (configured.Length < 16)
            {
                throw new InvalidOperationException("HealthCode:Admin:ApiKey must be at least 16 characters.");
            }

            Value = configured;
            return;
        }

        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException("Set HealthCode:Admin:ApiKey (environment HealthCode__Admin__ApiKey): the operator API needs a key.");
        }

        Value = Secrets.NewToken();
        LogGenerated(logger, Value);
    }

    public string Value { get; }

    public bool Matches(string candidate) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(candidate)), SHA256.HashData(Encoding.UTF8.GetBytes(Value)));

    [LoggerMessage(Level = LogLevel.Warning, Message = "No HealthCode:Admin:ApiKey set: generated operator key for this Development run: {Key}")]
    private static partial void LogGenerated(ILogger logger, string key);
}

/// <summary>Authenticates the province's operators. Codes: <c>operator_key_missing</c>, <c>operator_key_invalid</c>.</summary>
internal sealed class OperatorAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    OperatorKey key)
    : BearerAuthentication(options, logger, encoder)
{
    public const string SchemeName = "Operator";

    protected override string CodePrefix => "operator_key";

    protected override Task<AuthenticateResult> AuthenticateAsync(string token) => Task.FromResult(key.Matches(token)
        ? Succeed(new Claim(ClaimTypes.Role, "operator"))
        : Fail("invalid", "The operator key is not valid."));
}
