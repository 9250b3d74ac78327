/**
 * What the sign-in page says when a single sign-on came back refused (`/login?sso_error=reason`).
 * Only these fixed texts are shown: a link cannot put words of its own on the page.
 */
const MESSAGES: Record<string, string> = {
  state:
    "That sign-in could not be completed in this browser (it expired or was started elsewhere). Try again.",
  provider: "The sign-in provider refused the sign-in.",
  code: "The sign-in provider sent no sign-in code. Try again.",
  code_exchange: "The sign-in provider did not accept the sign-in code. Try again.",
  no_id_token: "The sign-in provider's answer was incomplete.",
  discovery: "The sign-in provider could not be reached or is misconfigured. Tell your administrator.",
  keys: "The sign-in provider's keys could not be read. Tell your administrator.",
  id_token: "The sign-in provider's answer was not valid.",
  signature: "The sign-in provider's answer was not signed by it.",
  audience: "The sign-in provider's answer was meant for another application.",
  issuer: "The sign-in provider's answer came from another issuer.",
  expired: "The sign-in provider's answer had expired. Try again.",
  nonce: "The sign-in provider's answer belongs to another sign-in. Try again.",
  claims: "The sign-in provider's answer was missing information about you.",
  email: "The sign-in provider did not give your e-mail address.",
  email_unverified: "The sign-in provider has not verified your e-mail address.",
  no_organization: "Your account's organization is not set up for this sign-in. Ask your administrator.",
  provider_organization: "This sign-in provider cannot sign you in to the provider organization.",
  account_mismatch:
    "An account with your e-mail address belongs to another organization. Ask your administrator.",
  identity_taken: "Your sign-in is linked to another account.",
  inactive: "Your account cannot sign in. Ask your administrator.",
};

export const ssoErrorMessage = (reason: string | null): string | undefined =>
  reason === null ? undefined : (MESSAGES[reason] ?? "The single sign-on did not succeed. Try again.");
