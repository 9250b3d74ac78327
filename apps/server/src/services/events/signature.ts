import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The generic webhook signature: HMAC-SHA256 of the raw body with the source's secret, sent as hex
 * or `sha256=<hex>` (GitHub's form). Compared in constant time.
 */
export function signatureMatches(rawBody: Buffer, secret: string, header: string | undefined): boolean {
  if (!header) return false;
  const given = header
    .trim()
    .replace(/^sha256=/i, "")
    .toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  const expected = createHmac("sha256", secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(given, "hex"));
}

export const signBody = (rawBody: Buffer | string, secret: string): string =>
  `sha256=${createHmac("sha256", secret).update(rawBody).digest("hex")}`;
