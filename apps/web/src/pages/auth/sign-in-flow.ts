import type { LoginResult, TokenPair } from "@bifrost/contracts";
import { useNavigate, useSearchParams } from "react-router";
import { useAuth } from "../../shell/auth.js";
import { safeNext } from "../../shell/safe-next.js";

/** What an MFA page needs from the login that sent it there (router state; lost on reload). */
type MfaState = { mfaToken: string };

function isMfaState(value: unknown): value is MfaState {
  return typeof value === "object" && value !== null && typeof (value as MfaState).mfaToken === "string";
}

/**
 * The MFA token of the sign-in that led here: router state after a password sign-in, or the URL's
 * fragment (`#mfaToken=…`) after a single sign-on, whose server redirect cannot carry state (a
 * fragment never reaches a server, so no log holds it).
 */
export function mfaTokenOf(location: { state: unknown; hash: string }): string | undefined {
  if (isMfaState(location.state)) return location.state.mfaToken;
  const token = new URLSearchParams(location.hash.replace(/^#/, "")).get("mfaToken");
  return token && token.length <= 4096 ? token : undefined;
}

/**
 * The next step of a sign-in: tokens end it (back to the page asked for); an MFA challenge goes to
 * the prompt or the enrolment page, carrying `next` along.
 */
export function useSignInFlow() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const { signedIn } = useAuth();
  const next = safeNext(params.get("next"));
  const query = next === "/" ? "" : `?next=${encodeURIComponent(next)}`;

  const finish = async (pair: Pick<TokenPair, "expiresIn">) => {
    await signedIn(pair);
    await navigate(next, { replace: true });
  };

  const proceed = async (result: LoginResult) => {
    if ("accessToken" in result) return finish(result);
    const state: MfaState = { mfaToken: result.mfaToken };
    const page = "mfaSetupRequired" in result ? "/mfa-setup" : "/login/mfa";
    await navigate(`${page}${query}`, { state });
  };

  return { proceed, finish, loginPath: `/login${query}` };
}
