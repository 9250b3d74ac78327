import { createHmac, timingSafeEqual } from "node:crypto";
import { fileLocationSchema, type FileLocation } from "@bifrost/contracts";
import { z } from "zod";
import { ForbiddenError } from "../../errors.js";
import type { Clock } from "../../infra/clock.js";

/**
 * What a signed URL grants: one method on one file of one scope, until `expiresAt` (epoch seconds).
 * An upload grant may carry limits of its own (a form's file field): at most `maxBytes`, and a
 * Content-Type among `contentTypes` (`image/*` style).
 */
export type SignedFileGrant = {
  method: "GET" | "PUT";
  organizationId: string | null;
  location: FileLocation;
  path: string;
  expiresAt: number;
  maxBytes?: number;
  contentTypes?: string[];
};

// Short field names keep the URL short; `v` lets a later format coexist with URLs already handed out.
const grantFields = {
  m: z.enum(["GET", "PUT"]),
  o: z.string().nullable(),
  l: fileLocationSchema,
  p: z.string(),
  e: z.number().int(),
};
// A grant with limits is version 2, which a process that predates the limits refuses (its schema
// takes version 1 only) rather than honouring without them.
const payloadSchema = z.discriminatedUnion("v", [
  z.strictObject({ v: z.literal(1), ...grantFields }),
  z.strictObject({
    v: z.literal(2),
    ...grantFields,
    s: z.number().int().positive().optional(),
    t: z.array(z.string().min(1)).min(1).optional(),
  }),
]);

/**
 * Tokens of signed file URLs: `<payload>.<mac>`, both base64url, the MAC an HMAC-SHA256 of the
 * payload under a key derived from the secret key for this purpose alone. Nothing is stored: a
 * token is valid while its MAC checks and it has not expired, so it cannot be revoked early (keep
 * `expiresIn` short); rotating the secret key voids every outstanding URL.
 */
export class SignedUrls {
  readonly #key: Buffer;

  constructor(
    key: Buffer,
    private readonly clock: Clock,
  ) {
    this.#key = Buffer.from(key);
  }

  sign(grant: SignedFileGrant): string {
    const limited = grant.maxBytes !== undefined || grant.contentTypes !== undefined;
    const payload = Buffer.from(
      JSON.stringify({
        v: limited ? 2 : 1,
        m: grant.method,
        o: grant.organizationId,
        l: grant.location,
        p: grant.path,
        e: grant.expiresAt,
        ...(grant.maxBytes !== undefined ? { s: grant.maxBytes } : {}),
        ...(grant.contentTypes !== undefined ? { t: grant.contentTypes } : {}),
      }),
    ).toString("base64url");
    return `${payload}.${this.mac(payload).toString("base64url")}`;
  }

  /**
   * The grant of a token used with `method`. Forged, altered, expired or used with the other method:
   * 403 (a signed URL is the credential itself, so there is no sign-in that 401 could ask for).
   */
  verify(token: string, method: "GET" | "PUT"): SignedFileGrant {
    const refused = new ForbiddenError("The signed URL is invalid or has expired");
    const [payload = "", mac = "", ...rest] = token.split(".");
    if (rest.length > 0 || !/^[A-Za-z0-9_-]+$/.test(payload)) throw refused;
    const given = Buffer.from(mac, "base64url");
    const expected = this.mac(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refused;
    let parsed: z.infer<typeof payloadSchema>;
    try {
      parsed = payloadSchema.parse(JSON.parse(Buffer.from(payload, "base64url").toString("utf8")));
    } catch {
      throw refused;
    }
    if (parsed.m !== method || parsed.e * 1000 <= this.clock.now()) throw refused;
    return {
      method: parsed.m,
      organizationId: parsed.o,
      location: parsed.l,
      path: parsed.p,
      expiresAt: parsed.e,
      ...(parsed.v === 2 && parsed.s !== undefined ? { maxBytes: parsed.s } : {}),
      ...(parsed.v === 2 && parsed.t !== undefined ? { contentTypes: parsed.t } : {}),
    };
  }

  private mac(payload: string): Buffer {
    return createHmac("sha256", this.#key).update(payload).digest();
  }
}
