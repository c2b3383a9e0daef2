using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using HealthCode.Api.Infrastructure.Settings;
using HealthCode.Api.Infrastructure.Store;
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
                throw new SettingException("HealthCode:Admin:ApiKey must be at least 16 characters.");
            }

            Value = configured;
            return;
        }

        if (!environment.IsDevelopment())
        {
            throw new SettingException("Set HealthCode:Admin:ApiKey (environment HealthCode__Admin__ApiKey): the operator API needs a key.");
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

/// <summary>
/// Authenticates the province's operators (DESIGN §10 "Named operators"): the configured key, which only bootstraps
/// (<see cref="OperatorPrincipal.Bootstrap"/>: role <c>admin</c>, name <c>bootstrap</c>), or a named operator's token.
/// A token's account is read from the store on every request, not kept in memory: operator calls are few, and a
/// revocation holds from the next request on, on every instance that shares the store. Codes:
/// <c>operator_key_missing</c>, <c>_invalid</c>, and for tokens <c>_expired</c>, <c>_revoked</c>.
/// </summary>
internal sealed class OperatorAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    OperatorKey key,
    IOperatorStore operators,
    TimeProvider time)
    : BearerAuthentication(options, logger, encoder)
{
    public const string SchemeName = "Operator";

    protected override string CodePrefix => "operator_key";

    protected override async Task<AuthenticateResult> AuthenticateAsync(string token)
    {
        if (key.Matches(token))
        {
            return Succeed(OperatorPrincipal.Bootstrap());
        }

        var account = await operators.FindByTokenHashAsync(Secrets.Hash(token), Context.RequestAborted);
        return account is null
            ? Fail("invalid", "The operator key or token is not valid.")
            : Judge("operator token", "Ask an admin operator for a new one.", account.RevokedAt, account.ExpiresAt, time.GetUtcNow(),
                () => OperatorPrincipal.Claims(account));
    }
}
