import type { PasskeyAssertion, PasskeyRegistration } from "@bifrost/contracts";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from "@simplewebauthn/server";
import { BadRequestError } from "../../errors.js";
import type { Bus } from "../../infra/bus/bus.js";
import type { NewPasskey, PasskeyRow } from "../../repositories/passkeys.js";
import { hashOpaqueToken } from "../auth/tokens.js";
import { relyingPartyFor, type RelyingParty } from "./relying-party.js";

/** How long the browser may take (WebAuthn's `timeout`); the challenge lives as long, plus a margin. */
const CEREMONY_TIMEOUT_MS = 5 * 60_000;
const CHALLENGE_TTL_MS = CEREMONY_TIMEOUT_MS + 30_000;
const RP_NAME = "Bifrost";

/** What an options call started, kept on the bus until its verify call takes it (once). */
export type Ceremony =
  | { flow: "register"; userId: string }
  | { flow: "authenticate" }
  | { flow: "setup"; userId: string; email: string; name: string }
  | { flow: "invitation"; userId: string; tokenHash: string };
type Flow = Ceremony["flow"];
type Pending<F extends Flow> = Extract<Ceremony, { flow: F }> & { challenge: string };

const challengeKey = (challenge: string): string => `passkey-challenge:${hashOpaqueToken(challenge)}`;

/** The WebAuthn user handle of a Bifrost user: its id's bytes (no personal data on the authenticator). */
const userHandleOf = (userId: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(userId);

/** The challenge a response answers, read from its client data; undefined when unreadable. */
function challengeOf(clientDataJSON: string): string | undefined {
  try {
    const data = JSON.parse(Buffer.from(clientDataJSON, "base64url").toString("utf8")) as unknown;
    const challenge = (data as { challenge?: unknown } | null)?.challenge;
    return typeof challenge === "string" && challenge.length > 0 && challenge.length <= 512
      ? challenge
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The two WebAuthn ceremonies with `@simplewebauthn/server`, and their challenges. A challenge is
 * random, lives 5 minutes on the bus (every API process sees it) and is taken once: the verify call
 * finds it through the challenge the browser signed, checks it was made for the same flow, and
 * claims it with a set-if-absent, so a replayed response — or two racing — finds nothing. User
 * verification (a PIN, a fingerprint) is required in both ceremonies: a passkey is the whole login,
 * possession and the user's own gesture, which is why it stands in for the second factor.
 */
export class PasskeyCeremonies {
  constructor(private readonly deps: { bus: Bus; publicUrl: string | undefined }) {}

  relyingParty(requestOrigin: string): RelyingParty {
    return relyingPartyFor(this.deps.publicUrl, requestOrigin);
  }

  /** Options for a new discoverable credential of `user`, none of `exclude` again. */
  async registrationOptions(
    rp: RelyingParty,
    user: { id: string; email: string; name: string },
    exclude: readonly Pick<PasskeyRow, "credentialId" | "transports">[],
    ceremony: Exclude<Ceremony, { flow: "authenticate" }>,
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const options = await generateRegistrationOptions({
      rpName: RP_NAME,
      rpID: rp.id,
      userID: userHandleOf(user.id),
      userName: user.email,
      userDisplayName: user.name,
      timeout: CEREMONY_TIMEOUT_MS,
      attestationType: "none",
      excludeCredentials: exclude.map((p) => ({ id: p.credentialId, transports: p.transports })),
      authenticatorSelection: {
        residentKey: "required",
        requireResidentKey: true,
        userVerification: "required",
      },
    });
    await this.keep(options.challenge, ceremony);
    return options;
  }

  /** Options of a passwordless sign-in: no credential named, the authenticator offers its own. */
  async authenticationOptions(rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const options = await generateAuthenticationOptions({
      rpID: rp.id,
      allowCredentials: [],
      userVerification: "required",
      timeout: CEREMONY_TIMEOUT_MS,
    });
    await this.keep(options.challenge, { flow: "authenticate" });
    return options;
  }

  /** The ceremony `clientDataJSON` answers, taken for good; undefined if unknown, used, expired or another flow's. */
  async take<F extends Flow>(clientDataJSON: string, flow: F): Promise<Pending<F> | undefined> {
    const challenge = challengeOf(clientDataJSON);
    if (!challenge) return undefined;
    const key = challengeKey(challenge);
    const stored = await this.deps.bus.get(key);
    if (stored === null) return undefined;
    // Only one caller wins the claim, however many present the same response at once.
    if (!(await this.deps.bus.set(`${key}:taken`, "1", { onlyIfAbsent: true, ttlMs: CHALLENGE_TTL_MS })))
      return undefined;
    await this.deps.bus.delete(key);
    const ceremony = JSON.parse(stored) as Ceremony;
    return ceremony.flow === flow ? ({ ...ceremony, challenge } as Pending<F>) : undefined;
  }

  /** The new credential, checked (challenge, origin, RP id, user presence and verification); 400 otherwise. */
  async verifyRegistration(
    rp: RelyingParty,
    challenge: string,
    credential: PasskeyRegistration,
  ): Promise<Omit<NewPasskey, "userId" | "name">> {
    let verification;
    try {
      verification = await verifyRegistrationResponse({
        // Extension outputs play no part in the verification; the browser's are not passed on.
        response: { ...credential, clientExtensionResults: {} },
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.id,
        requireUserVerification: true,
      });
    } catch (error) {
      throw new BadRequestError(`The passkey was not accepted: ${reasonOf(error)}`);
    }
    if (!verification.verified) throw new BadRequestError("The passkey was not accepted");
    const info = verification.registrationInfo;
    return {
      credentialId: info.credential.id,
      publicKey: Buffer.from(info.credential.publicKey).toString("base64url"),
      counter: info.credential.counter,
      transports: (info.credential.transports ?? credential.response.transports ?? []).slice(0, 10),
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
    };
  }

  /** A signature by `passkey`, checked (challenge, origin, RP id, verification, counter), or why not. */
  async verifyAssertion(
    rp: RelyingParty,
    challenge: string,
    assertion: PasskeyAssertion,
    passkey: PasskeyRow,
  ): Promise<{ ok: true; counter: number; backedUp: boolean } | { ok: false; reason: string }> {
    try {
      const verification = await verifyAuthenticationResponse({
        response: { ...assertion, clientExtensionResults: {} },
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.id,
        credential: {
          id: passkey.credentialId,
          publicKey: new Uint8Array(Buffer.from(passkey.publicKey, "base64url")),
          counter: passkey.counter,
          transports: passkey.transports,
        },
        requireUserVerification: true,
      });
      if (!verification.verified) return { ok: false, reason: "signature not verified" };
      const info = verification.authenticationInfo;
      return { ok: true, counter: info.newCounter, backedUp: info.credentialBackedUp };
    } catch (error) {
      return { ok: false, reason: reasonOf(error) };
    }
  }

  private async keep(challenge: string, ceremony: Ceremony): Promise<void> {
    await this.deps.bus.set(challengeKey(challenge), JSON.stringify(ceremony), { ttlMs: CHALLENGE_TTL_MS });
  }
}

/** The library's reason, short: it names what failed (never key material). */
const reasonOf = (error: unknown): string =>
  (error instanceof Error ? error.message : "unreadable response").slice(0, 200);
