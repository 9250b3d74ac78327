import type {
  AuthStatus,
  mfaSetupResponseSchema,
  mfaStatusSchema,
  recoveryCodesSchema,
  Session,
  TrustedDevice,
} from "@bifrost/contracts";
import { useQuery } from "@tanstack/react-query";
import type { z } from "zod";
import { apiFetch } from "../../api/client.js";

type MfaStatus = z.infer<typeof mfaStatusSchema>;
type MfaSetup = z.infer<typeof mfaSetupResponseSchema>;
type RecoveryCodesAnswer = z.infer<typeof recoveryCodesSchema>;

/** What the account page's lists live under: a password or MFA change refreshes them all. */
export const ACCOUNT_KEY = ["account"] as const;

export function useMfaStatus() {
  return useQuery({
    queryKey: [...ACCOUNT_KEY, "mfa"],
    queryFn: ({ signal }) => apiFetch<MfaStatus>("/auth/mfa/status", { signal }),
  });
}

export function useSessions() {
  return useQuery({
    queryKey: [...ACCOUNT_KEY, "sessions"],
    queryFn: ({ signal }) => apiFetch<{ items: Session[] }>("/auth/sessions", { signal }),
  });
}

export function useTrustedDevices() {
  return useQuery({
    queryKey: [...ACCOUNT_KEY, "trusted-devices"],
    queryFn: ({ signal }) => apiFetch<{ items: TrustedDevice[] }>("/auth/trusted-devices", { signal }),
  });
}

/** The platform's sign-in settings (whether MFA is required); the sign-in pages share the key. */
export function useAuthStatus() {
  return useQuery({
    queryKey: ["auth", "status"],
    queryFn: () => apiFetch<AuthStatus>("/auth/status"),
  });
}

/**
 * A call proven with a current code of the authenticator in use. Its 401 means a wrong code, not an
 * ended login: no refresh-and-retry, which would spend a second of the five attempts the server
 * allows. (Only a query's 401 signs the user out, main.tsx; these run as mutations.)
 */
function provenWithCode<T>(path: string, method: string, code: string): Promise<T> {
  return apiFetch<T>(path, { method, body: { code: code.trim() }, retryOn401: false });
}

/** Starts setting up an authenticator: the first one (no code) or a replacement (a current code). */
export function startEnrolment(code?: string): Promise<MfaSetup> {
  return code === undefined
    ? apiFetch<MfaSetup>("/auth/mfa/enrol", { method: "POST", body: {} })
    : provenWithCode<MfaSetup>("/auth/mfa/enrol", "POST", code);
}

/** Confirms the new authenticator with one of its codes; answers the new recovery codes. */
export async function completeEnrolment(code: string): Promise<string[]> {
  const answer = await apiFetch<RecoveryCodesAnswer>("/auth/mfa/enrol/verify", {
    method: "POST",
    body: { code: code.trim() },
  });
  return answer.recoveryCodes;
}

export async function regenerateRecoveryCodes(code: string): Promise<string[]> {
  const answer = await provenWithCode<RecoveryCodesAnswer>(
    "/auth/mfa/recovery-codes/regenerate",
    "POST",
    code,
  );
  return answer.recoveryCodes;
}

export function turnOffMfa(code: string): Promise<void> {
  return provenWithCode<void>("/auth/mfa", "DELETE", code);
}
