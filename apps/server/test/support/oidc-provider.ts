import http from "node:http";
import type { AddressInfo } from "node:net";
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
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

export type TestEntraProvider = Omit<TestOidcProvider, "signInAs" | "rotateKeys"> & {
  /** The next authorization signs `account` in at its home tenant (its `tid` and `oid` are set). */
  signInAs(account: OidcAccount & { tid: string; oid: string }): void;
};

type Key = { privateJwk: JWK & { kid: string }; privateKey: CryptoKey };
type Shared = {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  accounts: Map<string, OidcAccount>;
  next: { account: OidcAccount; amr: string[] } | undefined;
  tamper: Tamper | undefined;
  foreign: Key;
};

const CLIENT_ID = "bifrost-test-client";
const CLIENT_SECRET = "a test client secret that is long enough";

async function newKey(kid: string): Promise<Key> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { privateJwk: { ...jwk, kid, alg: "RS256", use: "sig" }, privateKey };
}

const publicJwk = ({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest }: JWK): JWK => rest;

async function listen(): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function sharedState(redirectUri: string): Promise<Shared> {
  return {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri,
    accounts: new Map(),
    next: undefined,
    tamper: undefined,
    foreign: await newKey("key-1"), // the same key id as the first real key: a forged signature
  };
}

/**
 * One `oidc-provider` instance at `issuer` (mounted at the issuer's path): one confidential client
 * (client_secret_post, PKCE required); claims `email`, `email_verified`, `name`, `hd`, `tid`, `oid`,
 * `amr` go into the ID token; login and consent complete by themselves as `shared.next`.
 */
function instance(issuer: string, key: Key, shared: Shared): Provider {
  const path = new URL(issuer).pathname.replace(/\/$/, "");
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: shared.clientId,
        client_secret: shared.clientSecret,
        redirect_uris: [shared.redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    jwks: { keys: [key.privateJwk] },
    cookies: { keys: ["a test cookie key for the provider"] },
    pkce: { required: () => true },
    conformIdTokenClaims: false,
    claims: {
      openid: ["sub", "amr", "auth_time", "tid", "oid", "hd"],
      email: ["email", "email_verified"],
      profile: ["name", "preferred_username"],
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `${path}/interaction/${interaction.uid}` },
    findAccount: (_ctx, id) => {
      const account = shared.accounts.get(id);
      return account ? { accountId: id, claims: () => ({ ...account }) } : undefined;
    },
    ttl: { AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 600, Grant: 600 },
  });
  provider.use(async (ctx, nextMiddleware) => {
    // Login and consent complete at once, as the account the test chose.
    if (ctx.path.startsWith("/interaction/")) {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      ctx.respond = false;
      if (details.prompt.name === "login") {
        const chosen = shared.next;
        if (!chosen) throw new Error("the test did not choose who signs in");
        shared.accounts.set(chosen.account.sub, chosen.account);
        await provider.interactionFinished(ctx.req, ctx.res, {
          login: { accountId: chosen.account.sub, amr: chosen.amr },
        });
        return;
      }
      const grant = new provider.Grant({
        accountId: details.session?.accountId ?? "",
        clientId: shared.clientId,
      });
      grant.addOIDCScope("openid email profile");
      await provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId: await grant.save() } });
      return;
    }
    await nextMiddleware();
    if (ctx.path === "/token" && shared.tamper && ctx.status === 200) {
      const body = ctx.body as { id_token?: string };
      const change = shared.tamper;
      shared.tamper = undefined;
      if (body.id_token) {
        const { claims, foreignKey } = change(decodeJwt(body.id_token));
        const signing = foreignKey ? shared.foreign : key;
        body.id_token = await new SignJWT(claims)
          .setProtectedHeader({ alg: "RS256", kid: signing.privateJwk.kid })
          .sign(signing.privateKey);
      }
    }
  });
  return provider;
}

/** Hands a request to `provider`, the issuer's path taken off the URL (as a mounted app sees it). */
function dispatch(provider: Provider, prefix: string, req: http.IncomingMessage, res: http.ServerResponse) {
  // oidc-provider finds where it is mounted from `originalUrl`, as under Express.
  (req as http.IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
  req.url = req.url?.slice(prefix.length) || "/";
  void provider.callback()(req, res);
}

/** A real OpenID Connect provider (`oidc-provider`) on 127.0.0.1 for the SSO tests. */
export async function startOidcProvider(options: { redirectUri: string }): Promise<TestOidcProvider> {
  const shared = await sharedState(options.redirectUri);
  const { server, port } = await listen();
  const issuer = `http://127.0.0.1:${port}`;
  let keyCount = 1;
  let provider = instance(issuer, await newKey("key-1"), shared);
  server.on("request", (req, res) => dispatch(provider, "", req, res));
  return {
    issuer,
    clientId: shared.clientId,
    clientSecret: shared.clientSecret,
    signInAs(account, signInOptions = {}) {
      shared.next = { account, amr: signInOptions.amr ?? ["pwd"] };
    },
    tamperNextIdToken(change) {
      shared.tamper = change;
    },
    async rotateKeys() {
      keyCount += 1;
      provider = instance(issuer, await newKey(`key-${keyCount}`), shared);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A Microsoft-Entra-shaped provider: one `oidc-provider` per tenant at `/{tid}/v2.0` (each with its
 * own key and issuer `…/{tid}/v2.0`), and the multi-tenant `organizations` endpoints in front of them
 * as Entra publishes them — a discovery document whose issuer is the template `…/{tenantid}/v2.0`, an
 * authorize URL that sends the browser to the person's home tenant, a token URL that asks that
 * tenant, and one key set with every tenant's keys.
 */
export async function startEntraLikeProvider(options: {
  redirectUri: string;
  tenants: string[];
}): Promise<TestEntraProvider> {
  const shared = await sharedState(options.redirectUri);
  const { server, port } = await listen();
  const base = `http://127.0.0.1:${port}`;
  const tenants = new Map<string, { provider: Provider; key: Key }>();
  for (const [index, tid] of options.tenants.entries()) {
    const key = await newKey(`tenant-key-${index + 1}`);
    tenants.set(tid, { provider: instance(`${base}/${tid}/v2.0`, key, shared), key });
  }
  let home = "";
  const json = (res: http.ServerResponse, body: unknown) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(body));
  };
  server.on("request", (req, res) => {
    const url = new URL(req.url ?? "/", base);
    if (url.pathname === "/organizations/v2.0/.well-known/openid-configuration")
      return json(res, {
        issuer: `${base}/{tenantid}/v2.0`,
        authorization_endpoint: `${base}/organizations/oauth2/v2.0/authorize`,
        token_endpoint: `${base}/organizations/oauth2/v2.0/token`,
        jwks_uri: `${base}/organizations/discovery/v2.0/keys`,
        response_types_supported: ["code"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
      });
    if (url.pathname === "/organizations/discovery/v2.0/keys")
      return json(res, { keys: [...tenants.values()].map((t) => publicJwk(t.key.privateJwk)) });
    if (url.pathname === "/organizations/oauth2/v2.0/authorize") {
      res.statusCode = 302;
      res.setHeader("location", `${base}/${home}/v2.0/auth${url.search}`);
      return res.end();
    }
    if (url.pathname === "/organizations/oauth2/v2.0/token") {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        void fetch(`${base}/${home}/v2.0/token`, {
          method: "POST",
          headers: { "content-type": req.headers["content-type"] ?? "application/x-www-form-urlencoded" },
          body: Buffer.concat(chunks),
        }).then(async (answer) => {
          res.statusCode = answer.status;
          json(res, await answer.json());
        });
      });
      return;
    }
    const tid = url.pathname.split("/")[1] ?? "";
    const tenant = tenants.get(tid);
    if (!tenant) {
      res.statusCode = 404;
      return res.end();
    }
    dispatch(tenant.provider, `/${tid}/v2.0`, req, res);
  });
  return {
    issuer: `${base}/organizations/v2.0`,
    clientId: shared.clientId,
    clientSecret: shared.clientSecret,
    signInAs(account) {
      home = account.tid;
      shared.next = { account, amr: ["pwd"] };
    },
    tamperNextIdToken(change) {
      shared.tamper = change;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
