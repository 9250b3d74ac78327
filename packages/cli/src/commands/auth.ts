import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { Api, type GlobalOptions } from "../client.js";
import { currentPlatform, forgetLogin, loginFor, platformKey, saveLogin } from "../credentials.js";
import { CliError, paint, print, printJson, withProgress } from "../output.js";

type Me = {
  id: string;
  email: string;
  name: string;
  isSuperuser: boolean;
  organizationId: string;
  roles: string[];
};
type CodePair = {
  deviceCode: string;
  userCode: string;
  verificationUriComplete: string;
  expiresIn: number;
  interval: number;
};
type TokenPair = { accessToken: string; refreshToken: string; user: { email: string } };

const messageOf = (body: Record<string, unknown>): string | undefined =>
  typeof body.message === "string" ? body.message : undefined;

async function post(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "bifrost-cli" },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new CliError(`Cannot reach ${new URL(url).origin}: ${(error as Error).message}`);
  }
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/**
 * `bifrost login [--url URL] [--token TOKEN]`: the device flow — the CLI prints a link and a code, the
 * author approves it in the browser where they are signed in, and the CLI keeps the login (0600, per
 * platform). With a token (CI), checks and keeps it instead.
 */
export async function login(options: GlobalOptions): Promise<void> {
  const url = currentPlatform(options.url);
  if (!url) throw new CliError("Which platform? bifrost login --url https://bifrost.example.com");
  const token = options.token ?? process.env.BIFROST_TOKEN;
  if (token) {
    saveLogin(url, { accessToken: token });
    const me = await Api.connect({ ...options, url, token: undefined }).request<Me>("GET", "/auth/me");
    saveLogin(url, { accessToken: token, email: me.email });
    return options.json ? printJson({ url, email: me.email }) : print(`Logged in to ${url} as ${me.email}`);
  }
  const pair = await post(`${url}/auth/device/code`, {
    clientName: `bifrost CLI on ${os.hostname()}`.slice(0, 100),
  });
  if (pair.status !== 200)
    throw new CliError(`The platform refused the sign-in: ${messageOf(pair.body) ?? pair.status}`);
  const code = pair.body as unknown as CodePair;
  // The link and code go to stderr with --json, so that stdout stays one JSON document.
  const say = options.json ? (line: string) => process.stderr.write(`${line}\n`) : print;
  say(
    `Open this link in a browser where you are signed in to Bifrost:\n\n  ${code.verificationUriComplete}\n`,
  );
  say(`and check that it shows the code ${paint(code.userCode, "bold")}.`);
  const tokens = await withProgress("Waiting for the approval…", () => pollForTokens(url, code));
  saveLogin(url, {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    email: tokens.user.email,
  });
  if (options.json) printJson({ url, email: tokens.user.email });
  else print(`Logged in to ${url} as ${tokens.user.email}`);
}

async function pollForTokens(url: string, code: CodePair): Promise<TokenPair> {
  let interval = code.interval;
  const deadline = Date.now() + code.expiresIn * 1000;
  while (Date.now() < deadline) {
    await sleep(interval * 1000);
    const answer = await post(`${url}/auth/device/token`, { deviceCode: code.deviceCode });
    if (answer.status === 200) return answer.body as unknown as TokenPair;
    switch (answer.body.error) {
      case "authorization_pending":
        continue;
      case "slow_down":
        interval = typeof answer.body.interval === "number" ? answer.body.interval : interval + 5;
        continue;
      case "access_denied":
        throw new CliError("The sign-in was denied in the browser");
      case "expired_token":
        throw new CliError("The code expired before it was approved: run bifrost login again");
      default:
        throw new CliError(`The platform answered ${answer.status}: ${messageOf(answer.body) ?? ""}`);
    }
  }
  throw new CliError("The code expired before it was approved: run bifrost login again");
}

/** `bifrost logout`: ends the login on the platform and forgets it here. */
export async function logout(options: GlobalOptions): Promise<void> {
  const url = currentPlatform(options.url);
  if (!url || !loginFor(url)) {
    if (options.json) return printJson({ loggedOut: false });
    return print("Not logged in.");
  }
  try {
    await Api.connect({ ...options, url }).request("POST", "/auth/logout");
  } catch {
    // Already ended on the platform, or unreachable: forgetting it here is what matters.
  }
  forgetLogin(url);
  if (options.json) printJson({ loggedOut: true, url: platformKey(url) });
  else print(`Logged out of ${url}`);
}

/** `bifrost whoami`: who the CLI acts as, where. */
export async function whoami(options: GlobalOptions): Promise<void> {
  const api = Api.connect(options);
  const me = await api.request<Me>("GET", "/auth/me");
  if (options.json) return printJson({ url: api.url, ...me });
  print(`${me.name} <${me.email}> on ${api.url}`);
  print(
    `${me.isSuperuser ? "platform admin" : "organization user"}; roles: ${me.roles.join(", ") || "none"}`,
  );
}
