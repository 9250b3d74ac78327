import type { LinkedIdentity, PutSsoProvider, SsoProvider } from "@bifrost/contracts";
import { NotFoundError, ValidationError } from "../../errors.js";
import type { SecretBox } from "../../infra/crypto/secret-box.js";
import type { SsoProviderRow, SsoRepository } from "../../repositories/sso.js";
import type { AuditActor } from "../../principal.js";
import type { AuditLog } from "../audit/audit-log.js";
import { isSecureProviderUrl, type OidcRelyingParty, SsoRefusal } from "./oidc-relying-party.js";
import { SSO_SECRET_PURPOSE } from "./sso-login.js";

/** The issuers of the presets, unless a provider names another (a single tenant, a test provider). */
const DEFAULT_ISSUERS = {
  entra: "https://login.microsoftonline.com/organizations/v2.0",
  google: "https://accounts.google.com",
} as const;

/**
 * Sign-in providers as platform admins manage them (`/api/settings/oauth`): the client secret sealed
 * and never answered; a "test" that reads the discovery document and the keys; and the linked
 * identities a user sees and removes on their account page.
 */
export class SsoProviders {
  constructor(
    private readonly deps: {
      sso: SsoRepository;
      rp: OidcRelyingParty;
      secretBox: SecretBox;
      audit: AuditLog;
      redirectUri: (origin: string) => string;
    },
  ) {}

  async list(origin: string): Promise<{ items: SsoProvider[] }> {
    const rows = await this.deps.sso.listProviders();
    return { items: rows.map((row) => this.present(row, origin)) };
  }

  async put(name: string, input: PutSsoProvider, actor: AuditActor, origin: string): Promise<SsoProvider> {
    const issuer = input.issuer ?? (input.kind === "oidc" ? "" : DEFAULT_ISSUERS[input.kind]);
    if (!isSecureProviderUrl(issuer))
      throw new ValidationError("The issuer must be an https URL", [
        {
          path: "body.issuer",
          message: "must use https (plain http only on this machine: localhost, 127.0.0.1)",
        },
      ]);
    const row = await this.deps.sso.putProvider({
      name,
      kind: input.kind,
      displayName: input.displayName,
      issuer: issuer.replace(/\/+$/, ""),
      clientId: input.clientId,
      clientSecretSealed:
        input.clientSecret === undefined
          ? undefined
          : this.deps.secretBox.seal(input.clientSecret, SSO_SECRET_PURPOSE),
      requireMfa: input.requireMfa ?? false,
      provisionIntoProvider: input.provisionIntoProvider ?? false,
    });
    await this.deps.audit.record(actor, {
      action: "sso_provider.put",
      resourceType: "sso_provider",
      resourceId: name,
      details: { kind: input.kind, issuer: row.issuer, secretChanged: input.clientSecret !== undefined },
    });
    return this.present(row, origin);
  }

  async delete(name: string, actor: AuditActor): Promise<void> {
    if (!(await this.deps.sso.deleteProvider(name))) throw new NotFoundError("No such sign-in provider");
    await this.deps.audit.record(actor, {
      action: "sso_provider.delete",
      resourceType: "sso_provider",
      resourceId: name,
    });
  }

  /** Whether the provider's discovery document can be read (always fresh). */
  async test(name: string): Promise<{ ok: boolean; issuer: string | null; message: string }> {
    const row = await this.deps.sso.findProvider(name);
    if (!row) throw new NotFoundError("No such sign-in provider");
    try {
      const discovery = await this.deps.rp.discover(row.issuer, { fresh: true });
      return { ok: true, issuer: discovery.issuer, message: "The provider's discovery document was read" };
    } catch (error) {
      if (error instanceof SsoRefusal) return { ok: false, issuer: null, message: error.message };
      throw error;
    }
  }

  async identitiesOf(userId: string): Promise<{ items: LinkedIdentity[] }> {
    const rows = await this.deps.sso.identitiesOf(userId);
    return {
      items: rows.map((row) => ({
        id: row.id,
        provider: row.provider,
        providerDisplayName: row.providerDisplayName,
        email: row.email,
        createdAt: row.createdAt.toISOString(),
        lastUsedAt: row.lastUsedAt.toISOString(),
      })),
    };
  }

  async unlink(userId: string, id: string, actor: AuditActor): Promise<void> {
    if (!(await this.deps.sso.unlink(userId, id))) throw new NotFoundError("No such linked sign-in");
    await this.deps.audit.record(actor, {
      action: "auth.identity_unlink",
      resourceType: "user_identity",
      resourceId: id,
    });
  }

  private present(row: SsoProviderRow, origin: string): SsoProvider {
    return {
      name: row.name,
      kind: row.kind,
      displayName: row.displayName,
      issuer: row.issuer,
      clientId: row.clientId,
      hasClientSecret: row.clientSecretSealed !== null,
      requireMfa: row.requireMfa,
      provisionIntoProvider: row.provisionIntoProvider,
      redirectUri: this.deps.redirectUri(origin),
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }
}
