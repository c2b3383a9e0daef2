using System.Security.Claims;
using HealthCode.Api.Infrastructure.Auth;

namespace HealthCode.Api.Features.Overrides;

/// <summary>
/// The four-eyes rule of an override (DESIGN §10 "Overrides"): a manual colour takes effect only when a second health
/// operator, who is not its proposer, approves it. Checked in this order, each refusal 403 <c>four_eyes_required</c>:
/// <list type="number">
/// <item>the configured key never approves: it only bootstraps named operators, and names no one;</item>
/// <item>the proposer's own account never approves its proposal;</item>
/// <item>nor does another account under the proposer's name (compared trimmed, ignoring case): the audit names
/// operators, and two entries under one name cannot show that two people looked. Admins give each person one account,
/// named so that two people can be told apart.</item>
/// </list>
/// The role itself (health) is the endpoint's policy; this rule only compares the two operators.
/// </summary>
internal static class FourEyes
{
    /// <summary>Why <paramref name="approver"/> may not approve <paramref name="proposal"/>; null when they may.</summary>
    public static ApiProblem? Refusal(OverrideRecord proposal, ClaimsPrincipal approver)
    {
        if (approver.IsBootstrapKey())
        {
            return OverrideProblems.FourEyesRequired("The configured operator key never approves: approve with a named health operator's token.");
        }

        if (string.Equals(approver.OperatorId(), proposal.ProposedBy.OperatorId, StringComparison.Ordinal))
        {
            return OverrideProblems.FourEyesRequired("You proposed this override: another health operator approves it.");
        }

        return string.Equals(approver.OperatorName().Trim(), proposal.ProposedBy.Name.Trim(), StringComparison.OrdinalIgnoreCase)
            ? OverrideProblems.FourEyesRequired("An account under the proposer's name cannot approve: the audit could not tell the two apart. Another health operator approves it.")
            : null;
    }
}
