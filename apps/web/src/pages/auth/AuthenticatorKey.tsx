import { toDataURL } from "qrcode";

/** An authenticator's seed answer with its `otpauth://` URI drawn as a QR code (a data URL). */
export async function withQrCode<T extends { otpauthUri: string }>(setup: T): Promise<T & { qr: string }> {
  return { ...setup, qr: await toDataURL(setup.otpauthUri, { margin: 1, width: 200 }) };
}

/**
 * A new authenticator's seed, to scan or type into the app: the sign-in's enrolment and the account
 * page show it alike.
 */
export function AuthenticatorKey({ qr, secret }: { qr: string; secret: string }) {
  return (
    <>
      <img className="mfa-qr" src={qr} alt="QR code of the authenticator secret" width={200} height={200} />
      <p className="mfa-secret">
        Or enter this key: <code data-testid="mfa-secret">{secret}</code>
      </p>
    </>
  );
}
