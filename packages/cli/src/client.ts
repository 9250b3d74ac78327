import { CliError } from "./output.js";
import { currentPlatform, loginFor, saveLogin, type Login } from "./credentials.js";

export type GlobalOptions = { url?: string | undefined; token?: string | undefined; json: boolean };

type ErrorBody = { error?: string; message?: string; details?: unknown };

/** An answer that is not a 2xx, with the platform's own words. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    what: string,
  ) {
    super(describe(status, body, what));
  }
}

function describe(status: number, body: ErrorBody, what: string): string {
  const said = body.message ?? `HTTP ${status}`;
  if (status === 401) return `${said}. Log in again: bifrost login`;
  if (status === 403) return `${said} (your account may not do this)`;
  if (status === 404) return `Not found: ${what} (${said})`;
  // Field errors come as `details` (a list) or `details.fields`: each on its own line.
  const raw = body.details as { fields?: unknown } | unknown[] | undefined;
  const fields = Array.isArray(raw) ? raw : Array.isArray(raw?.fields) ? raw.fields : [];
  const details = (fields as Array<{ path?: string; message?: string }>)
    .map((d) => `\n  ${d.path ?? ""}: ${d.message ?? ""}`)
    .join("");
  return `${said}${details}`;
}

/**
 * The platform's HTTP API as the signed-in author: the access token of `bifrost login` (refreshed
 * once on a 401, the new pair saved), or `--token`/`BIFROST_TOKEN` as given.
 */
export class Api {
  private constructor(
    readonly url: string,
    private login: Login,
    private readonly saved: boolean,
  ) {}

  static connect(options: GlobalOptions): Api {
    const url = currentPlatform(options.url);
    if (!url) throw new CliError("Not logged in: run `bifrost login --url <platform>` (or pass --url)");
    const token = options.token ?? process.env.BIFROST_TOKEN;
    if (token) return new Api(url, { accessToken: token }, false);
    const login = loginFor(url);
    if (!login) throw new CliError(`Not logged in to ${url}: run \`bifrost login\``);
    return new Api(url, login, true);
  }

  get accessToken(): string {
    return this.login.accessToken;
  }

  async request<T>(method: string, path: string, body?: unknown, what = path): Promise<T> {
    let response = await this.send(method, path, body);
    if (response.status === 401 && (await this.refresh())) response = await this.send(method, path, body);
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    if (!response.ok)
      throw new ApiError(response.status, typeof parsed === "object" && parsed ? parsed : {}, what);
    return parsed as T;
  }

  private async send(method: string, path: string, body: unknown): Promise<Response> {
    try {
      return await fetch(new URL(path, `${this.url}/`), {
        method,
        headers: {
          authorization: `Bearer ${this.login.accessToken}`,
          "user-agent": "bifrost-cli",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new CliError(
        `Cannot reach ${this.url}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`,
      );
    }
  }

  private async refresh(): Promise<boolean> {
    if (!this.login.refreshToken) return false;
    const response = await fetch(`${this.url}/auth/refresh`, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "bifrost-cli" },
      body: JSON.stringify({ refreshToken: this.login.refreshToken }),
    });
    if (!response.ok) return false;
    const pair = (await response.json()) as { accessToken: string; refreshToken: string };
    this.login = { ...this.login, accessToken: pair.accessToken, refreshToken: pair.refreshToken };
    if (this.saved) saveLogin(this.url, this.login);
    return true;
  }
}
