import type { Clock } from "../../infra/clock.js";
import type { SecretBox } from "../../infra/crypto/secret-box.js";
import type { AuthSessionsRepository } from "../../repositories/auth-sessions.js";
import type { UsersRepository } from "../../repositories/users.js";
import { generateRecoveryCodes, hashRecoveryCode, normalizeRecoveryCode } from "./recovery-codes.js";
import { generateTotpSecret, verifyTotp } from "./totp.js";

const SECRET_PURPOSE = "mfa-totp";
const RECOVERY_KEY_PURPOSE = "mfa-recovery-codes";

type MfaUser = { id: string; mfaSecretSealed: string | null; mfaLastStep: number | null };

/**
 * The second factor's secrets and one-time codes: sealing TOTP seeds, accepting a code at most once
 * (the accepted step is stored with a compare-and-set, so a replay or a concurrent reuse loses), and
 * issuing and spending recovery codes (stored as keyed hashes).
 */
export class MfaCodes {
  constructor(
    private readonly deps: {
      users: UsersRepository;
      sessions: AuthSessionsRepository;
      secretBox: SecretBox;
      clock: Clock;
    },
  ) {}

  /** A new TOTP seed, stored sealed on the user (not enabled until a code confirms it). */
  async newSecret(userId: string): Promise<string> {
    const secret = generateTotpSecret();
    await this.deps.users.setMfaSecret(userId, this.deps.secretBox.seal(secret, SECRET_PURPOSE));
    return secret;
  }

  /** A seed to replace the one in use, sealed, for the caller to keep until a code confirms it. */
  newReplacementSecret(): { secret: string; sealed: string } {
    const secret = generateTotpSecret();
    return { secret, sealed: this.deps.secretBox.seal(secret, SECRET_PURPOSE) };
  }

  /** Whether `code` is a code of the replacement seed; when it is, the seed replaces the user's. */
  async acceptReplacement(user: MfaUser, sealed: string, code: string): Promise<boolean> {
    const step = verifyTotp(this.deps.secretBox.open(sealed, SECRET_PURPOSE), code, {
      nowMs: this.deps.clock.now(),
      lastAcceptedStep: user.mfaLastStep,
    });
    return step !== null && (await this.deps.users.replaceMfaSecret(user.id, sealed, step));
  }

  /** Whether `code` is a TOTP code of the user's seed not used before; records it when it is. */
  async acceptTotp(user: MfaUser, code: string, options: { enable?: boolean } = {}): Promise<boolean> {
    if (!user.mfaSecretSealed) return false;
    const secret = this.deps.secretBox.open(user.mfaSecretSealed, SECRET_PURPOSE);
    const step = verifyTotp(secret, code, {
      nowMs: this.deps.clock.now(),
      lastAcceptedStep: user.mfaLastStep,
    });
    return step !== null && (await this.deps.users.acceptTotpStep(user.id, step, options));
  }

  /** Replaces the user's recovery codes with 10 new ones; answers them in clear, once. */
  async issueRecoveryCodes(userId: string): Promise<string[]> {
    const codes = generateRecoveryCodes();
    const key = this.recoveryKey();
    await this.deps.sessions.replaceRecoveryCodes(
      userId,
      codes.map((c) => hashRecoveryCode(c, key)),
    );
    return codes;
  }

  async spendRecoveryCode(userId: string, code: string): Promise<boolean> {
    const hash = hashRecoveryCode(normalizeRecoveryCode(code), this.recoveryKey());
    return this.deps.sessions.useRecoveryCode(userId, hash, new Date(this.deps.clock.now()));
  }

  private recoveryKey(): Buffer {
    return this.deps.secretBox.deriveKey(RECOVERY_KEY_PURPOSE);
  }
}
