import type { TokenPair } from "@bifrost/contracts";
import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
  WebAuthnError,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/browser";
import { apiFetch } from "./client.js";

/** An IP address as the page's host (`127.0.0.1`, `[::1]`): WebAuthn refuses them as relying parties. */
const isIpAddress = (hostname: string): boolean =>
  /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || hostname.startsWith("[");

/**
 * Whether this browser can use passkeys here: WebAuthn exists only in a secure context (https, or
 * http on `localhost`) and only under a host name, so a page opened over plain http elsewhere, or by
 * IP address, offers none.
 */
export function passkeysSupported(): boolean {
  return browserSupportsWebAuthn() && !isIpAddress(window.location.hostname);
}

/** What the browser's WebAuthn errors mean to the person in front of it. */
function readable(error: unknown): Error {
  if (error instanceof WebAuthnError) {
    switch (error.code) {
      case "ERROR_CEREMONY_ABORTED":
        return new Error("The passkey request was cancelled.");
      case "ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED":
        return new Error("This device already holds a passkey for your account.");
      case "ERROR_INVALID_DOMAIN":
      case "ERROR_INVALID_RP_ID":
        return new Error("Passkeys do not work at this address: open Bifrost by its host name.");
      default:
        break;
    }
  }
  if (error instanceof Error && error.name === "NotAllowedError")
    return new Error("The passkey request was cancelled or timed out.");
  return error instanceof Error ? error : new Error("The passkey request failed.");
}

// These calls answer 401 for a refused passkey, not an ended login: never refresh and retry.
const once = { retryOn401: false } as const;

/**
 * A new passkey from this browser's authenticator: the options from `optionsPath` (POSTed `body`),
 * then the browser's prompt. Answers the credential's JSON, for the matching verify route.
 */
export async function createPasskey(
  optionsPath: string,
  body: object = {},
): Promise<RegistrationResponseJSON> {
  const optionsJSON = await apiFetch<PublicKeyCredentialCreationOptionsJSON>(optionsPath, {
    method: "POST",
    body,
    ...once,
  });
  try {
    return await startRegistration({ optionsJSON });
  } catch (error) {
    throw readable(error);
  }
}

/** Signs in with a passkey the authenticator offers (none named): the session's tokens. */
export async function signInWithPasskey(): Promise<TokenPair> {
  const optionsJSON = await apiFetch<PublicKeyCredentialRequestOptionsJSON>(
    "/auth/passkeys/authenticate/options",
    {
      method: "POST",
      body: {},
      ...once,
    },
  );
  let assertion;
  try {
    assertion = await startAuthentication({ optionsJSON });
  } catch (error) {
    throw readable(error);
  }
  return apiFetch<TokenPair>("/auth/passkeys/authenticate/verify", {
    method: "POST",
    body: assertion,
    ...once,
  });
}

/** Sends a credential made by `createPasskey` to a verify route; answers what the route answers. */
export function verifyPasskey<T>(path: string, body: object): Promise<T> {
  return apiFetch<T>(path, { method: "POST", body, ...once });
}
