import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, decodeJwt, type JWK } from "jose";
import Provider from "oidc-provider";

/** A person the provider signs in: their claims (`sub` is the account id). */
export type OidcAccount = Record<string, unknown> & { sub: string };

/** How the next token answer's ID token is tampered with (for the refusal tests). */
type Tamper = (claims: Record<string, unknown>) => {
  claims: Record<string, unknown>;
  /** Sign with a key that is not the provider's. */
  foreignKey?: boolean;
};

export type TestOidcProvider = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The account the next authorization signs in (no login page: the test chooses). */
  signInAs(account: OidcAccount, options?: { amr?: string[] }): void;
  /** Tampers with the ID token of the next token answer only. */
  tamperNextIdToken(tamper: Tamper): void;
  /** Replaces the signing key (the old one leaves the JWKS): key rotation. */
  rotateKeys(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * A real OpenID Connect provider (`oidc-provider`) on 127.0.0.1 for the SSO tests: one confidential
 * client (client_secret_post, PKCE required) whose redirect URI is `redirectUri`; claims `email`,
 * `email_verified`, `name`, `hd`, `tid`, `oid` go into the ID token. Its login and consent steps
 * complete by themselves as the account given to `signInAs`.
 */
export async function startOidcProvider(options: {
  redirectUri: string;
  path?: string;
}): Promise<TestOidcProvider> {
  const clientId = "bifrost-test-client";
  const clientSecret = "a test client secret that is long enough";
  const accounts = new Map<string, OidcAccount>();
  let next: { account: OidcAccount; amr: string[] } | undefined;
  let tamper: Tamper | undefined;
  let signing = await newKey("key-1");
  let keyCount = 1;

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}${options.path ?? ""}`;

  const build = () =>
    new Provider(issuer, {
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: [options.redirectUri],
          grant_types: ["authorization_code"],
          response_types: ["code"],
          token_endpoint_auth_method: "client_secret_post",
        },
      ],
      jwks: { keys: [signing.privateJwk] },
      cookies: { keys: ["a test cookie key for the provider"] },
      pkce: { required: () => true },
      conformIdTokenClaims: false,
      claims: {
        openid: ["sub", "amr", "auth_time", "tid", "oid", "hd"],
        email: ["email", "email_verified"],
        profile: ["name", "preferred_username"],
      },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, interaction) => `${options.path ?? ""}/interaction/${interaction.uid}` },
      findAccount: (_ctx, id) => {
        const account = accounts.get(id);
        return account ? { accountId: id, claims: () => ({ ...account }) } : undefined;
      },
      ttl: { AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 600, Grant: 600 },
    });
  let provider = build();

  const install = (p: Provider) => {
    p.use(async (ctx, nextMiddleware) => {
      // Login and consent complete at once, as the account the test chose.
      if (ctx.path.startsWith("/interaction/")) {
        const details = await p.interactionDetails(ctx.req, ctx.res);
        ctx.respond = false;
        if (details.prompt.name === "login") {
          if (!next) throw new Error("the test did not choose who signs in");
          accounts.set(next.account.sub, next.account);
          await p.interactionFinished(ctx.req, ctx.res, {
            login: { accountId: next.account.sub, amr: next.amr },
          });
          return;
        }
        const grant = new p.Grant({ accountId: details.session?.accountId ?? "", clientId });
        grant.addOIDCScope("openid email profile");
        await p.interactionFinished(
          ctx.req,
          ctx.res,
          { consent: { grantId: await grant.save() } },
          {
            mergeWithLastSubmission: true,
          },
        );
        return;
      }
      await nextMiddleware();
      if (ctx.path === "/token" && tamper && ctx.status === 200) {
        const body = ctx.body as { id_token?: string };
        const change = tamper;
        tamper = undefined;
        if (body.id_token) body.id_token = await resign(body.id_token, change);
      }
    });
  };
  install(provider);
  server.on("request", (req, res) => {
    if (options.path && req.url?.startsWith(options.path))
      req.url = req.url.slice(options.path.length) || "/";
    void provider.callback()(req, res);
  });

  const foreign = await newKey("key-1"); // same key id, another key: a forged signature
  async function resign(idToken: string, change: Tamper): Promise<string> {
    const { claims, foreignKey } = change(decodeJwt(idToken));
    const key = foreignKey ? foreign : signing;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: key.privateJwk.kid ?? "" })
      .sign(key.privateKey);
  }

  return {
    issuer,
    clientId,
    clientSecret,
    signInAs(account, signInOptions = {}) {
      next = { account, amr: signInOptions.amr ?? ["pwd"] };
    },
    tamperNextIdToken(change) {
      tamper = change;
    },
    async rotateKeys() {
      keyCount += 1;
      signing = await newKey(`key-${keyCount}`);
      provider = build();
      install(provider);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function newKey(kid: string): Promise<{ privateJwk: JWK & { kid: string }; privateKey: CryptoKey }> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { privateJwk: { ...jwk, kid, alg: "RS256", use: "sig" }, privateKey };
}
