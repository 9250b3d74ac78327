import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import type {
  PasskeyAssertion,
  PasskeyCreationOptions,
  PasskeyRegistration,
  PasskeyRequestOptions,
} from "@bifrost/contracts";
import { isoCBOR } from "@simplewebauthn/server/helpers";

/** UP, UV, AT: the flags of authenticator data (WebAuthn §6.1). */
const USER_PRESENT = 0x01;
const USER_VERIFIED = 0x04;
const ATTESTED_DATA = 0x40;

type Credential = { id: Buffer; key: KeyObject; rpId: string; userHandle: string; counter: number };

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64url");
const sha256 = (data: Uint8Array | string): Buffer => createHash("sha256").update(data).digest();

/**
 * A passkey authenticator in software (ES256, attestation "none"), for server tests that must go past
 * the options call without a browser: it answers options as `@simplewebauthn/browser` would, and can
 * be told to misbehave — skip user verification, sign for another origin, replay a counter.
 */
export class SoftwareAuthenticator {
  private readonly credentials: Credential[] = [];

  constructor(private readonly origin: string) {}

  /** `startRegistration()`: a new discoverable credential for the options' user. */
  register(
    options: PasskeyCreationOptions,
    tweak: { userVerified?: boolean; origin?: string } = {},
  ): PasskeyRegistration {
    const rpId = options.rp.id ?? new URL(this.origin).hostname;
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = publicKey.export({ format: "jwk" });
    const id = sha256(`${Math.random()}${Date.now()}`).subarray(0, 16);
    this.credentials.push({ id, key: privateKey, rpId, userHandle: options.user.id, counter: 0 });
    const coseKey = new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, Buffer.from(jwk.x ?? "", "base64url")],
      [-3, Buffer.from(jwk.y ?? "", "base64url")],
    ]);
    const credentialData = Buffer.concat([
      Buffer.alloc(16), // AAGUID: none
      Buffer.from([id.length >> 8, id.length & 0xff]),
      id,
      Buffer.from(isoCBOR.encode(coseKey)),
    ]);
    const authData = this.authenticatorData(rpId, 0, tweak.userVerified ?? true, credentialData);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Map<string, string>>([
        ["fmt", "none"],
        ["attStmt", new Map<string, string>()],
        ["authData", authData],
      ]),
    );
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: "public-key",
      authenticatorAttachment: "platform",
      clientExtensionResults: {},
      response: {
        clientDataJSON: this.clientData("webauthn.create", options.challenge, tweak.origin),
        attestationObject: b64url(attestationObject),
        transports: ["internal"],
      },
    };
  }

  /** `startAuthentication()` with the newest (or the named) credential for the options' RP. */
  authenticate(
    options: PasskeyRequestOptions,
    tweak: { userVerified?: boolean; origin?: string; counter?: number; credentialId?: string } = {},
  ): PasskeyAssertion {
    const rpId = options.rpId ?? new URL(this.origin).hostname;
    const credential = this.credentials.findLast((c) =>
      tweak.credentialId ? b64url(c.id) === tweak.credentialId : c.rpId === rpId,
    );
    if (!credential) throw new Error(`no credential for ${rpId}`);
    credential.counter = tweak.counter ?? credential.counter + 1;
    const authData = this.authenticatorData(rpId, credential.counter, tweak.userVerified ?? true);
    const clientDataJSON = this.clientData("webauthn.get", options.challenge, tweak.origin);
    const signature = sign(
      "sha256",
      Buffer.concat([authData, sha256(Buffer.from(clientDataJSON, "base64url"))]),
      credential.key,
    );
    return {
      id: b64url(credential.id),
      rawId: b64url(credential.id),
      type: "public-key",
      authenticatorAttachment: "platform",
      clientExtensionResults: {},
      response: {
        clientDataJSON,
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
    };
  }

  private authenticatorData(
    rpId: string,
    counter: number,
    userVerified: boolean,
    credentialData?: Buffer,
  ): Buffer {
    const flags = USER_PRESENT | (userVerified ? USER_VERIFIED : 0) | (credentialData ? ATTESTED_DATA : 0);
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, credentialData ?? Buffer.alloc(0)]);
  }

  private clientData(type: string, challenge: string, origin = this.origin): string {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false })).toString("base64url");
  }
}
