import type { Passkey, PasskeyRegistration } from "@bifrost/contracts";
import type { PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/server";
import { BadRequestError, ConflictError, NotFoundError } from "../../errors.js";
import type { PasskeyRow, PasskeysRepository } from "../../repositories/passkeys.js";
import type { UsersRepository } from "../../repositories/users.js";
import type { AuditActor } from "../../principal.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { PasskeyCeremonies } from "./ceremonies.js";

export const DEFAULT_PASSKEY_NAME = "Passkey";
const NOT_FOUND = "Passkey not found";

const toPasskey = (row: PasskeyRow): Passkey => ({
  id: row.id,
  name: row.name,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  deviceType: row.deviceType,
  backedUp: row.backedUp,
});

/**
 * A signed-in user's own passkeys: add one (the WebAuthn registration, bound to the caller's login),
 * list, rename and remove them. Another user's passkey is 404, as if it did not exist.
 */
export class PasskeysService {
  constructor(
    private readonly deps: {
      passkeys: PasskeysRepository;
      users: UsersRepository;
      ceremonies: PasskeyCeremonies;
      audit: AuditLog;
    },
  ) {}

  async registrationOptions(userId: string, origin: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const rp = this.deps.ceremonies.relyingParty(origin);
    const user = await this.deps.users.findById(userId);
    if (!user) throw new NotFoundError("User not found");
    return this.deps.ceremonies.registrationOptions(rp, user, await this.deps.passkeys.listOf(userId), {
      flow: "register",
      userId,
    });
  }

  async register(
    userId: string,
    credential: PasskeyRegistration,
    name: string | undefined,
    origin: string,
    actor: AuditActor,
  ): Promise<Passkey> {
    const rp = this.deps.ceremonies.relyingParty(origin);
    const ceremony = await this.deps.ceremonies.take(credential.response.clientDataJSON, "register");
    // A challenge made for someone else's login is as good as none.
    if (!ceremony || ceremony.userId !== userId)
      throw new BadRequestError("This passkey request is unknown, used or expired: start again");
    const verified = await this.deps.ceremonies.verifyRegistration(rp, ceremony.challenge, credential);
    if (await this.deps.passkeys.findByCredentialId(verified.credentialId))
      throw new ConflictError("This passkey is already registered");
    const row = await this.deps.passkeys.insert({
      ...verified,
      userId,
      name: name ?? DEFAULT_PASSKEY_NAME,
    });
    await this.deps.audit.record(actor, {
      action: "auth.passkey.register",
      resourceType: "passkey",
      resourceId: row.id,
      details: { name: row.name, deviceType: row.deviceType },
    });
    return toPasskey(row);
  }

  async list(userId: string): Promise<{ items: Passkey[] }> {
    return { items: (await this.deps.passkeys.listOf(userId)).map(toPasskey) };
  }

  async rename(userId: string, id: string, name: string, actor: AuditActor): Promise<Passkey> {
    const row = await this.deps.passkeys.rename(userId, id, name);
    if (!row) throw new NotFoundError(NOT_FOUND);
    await this.deps.audit.record(actor, {
      action: "auth.passkey.rename",
      resourceType: "passkey",
      resourceId: id,
      details: { name },
    });
    return toPasskey(row);
  }

  /**
   * Removes one of the caller's passkeys. The last passkey of an account with neither a password
   * nor a linked single sign-on is kept (409): removing it would leave the user no way back in.
   */
  async delete(userId: string, id: string, actor: AuditActor): Promise<void> {
    const own = (await this.deps.passkeys.listOf(userId)).some((p) => p.id === id);
    if (!own) throw new NotFoundError(NOT_FOUND);
    const user = await this.deps.users.findById(userId);
    const otherWayIn = Boolean(user?.passwordHash) || (await this.deps.users.hasLinkedIdentity(userId));
    if (!otherWayIn && (await this.deps.passkeys.countOf(userId)) <= 1)
      throw new ConflictError(
        "This is your only passkey and your account has no password or single sign-on: add another passkey first",
      );
    if (!(await this.deps.passkeys.delete(userId, id))) throw new NotFoundError(NOT_FOUND);
    await this.deps.audit.record(actor, {
      action: "auth.passkey.delete",
      resourceType: "passkey",
      resourceId: id,
    });
  }
}
