import type { TestApp } from "./app.js";

type Jar = Map<string, string>;

/**
 * Just enough of a browser for the SSO round trip without Chromium: follows redirects between the
 * app (in-process, `inject`, at `appOrigin`) and a real provider over HTTP, keeping each host's
 * cookies. `go` stops at the first answer that is not a redirect into the app's `/auth/` routes or
 * another host, or before a URL `stopBefore` picks.
 */
export class SsoBrowser {
  private readonly jars = new Map<string, Jar>();

  constructor(
    private readonly app: TestApp,
    private readonly appOrigin: string,
  ) {}

  cookie(origin: string, name: string): string | undefined {
    return this.jars.get(new URL(origin).host)?.get(name);
  }

  setCookie(origin: string, name: string, value: string): void {
    this.jar(new URL(origin).host).set(name, value);
  }

  /** The app's access token cookie, as a bearer token for API calls. */
  get accessToken(): string | undefined {
    return this.cookie(this.appOrigin, "access_token");
  }

  async go(url: string, stopBefore?: (url: URL) => boolean): Promise<{ url: URL; status: number }> {
    let current = new URL(url);
    for (let hops = 0; hops < 20; hops++) {
      if (stopBefore?.(current)) return { url: current, status: 0 };
      const { status, location } = await this.request(current);
      if (status < 300 || status > 399 || !location) return { url: current, status };
      current = new URL(location, current);
      const intoApp = current.origin === this.appOrigin;
      if (intoApp && !current.pathname.startsWith("/auth/")) return { url: current, status: 302 };
    }
    throw new Error(`too many redirects from ${url}`);
  }

  private jar(host: string): Jar {
    let jar = this.jars.get(host);
    if (!jar) {
      jar = new Map<string, string>();
      this.jars.set(host, jar);
    }
    return jar;
  }

  private cookieHeader(url: URL): string {
    return [...this.jar(url.host)].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  private remember(url: URL, setCookies: string[]): void {
    const jar = this.jar(url.host);
    for (const header of setCookies) {
      const [pair = "", ...attributes] = header.split(";").map((part) => part.trim());
      const at = pair.indexOf("=");
      const name = pair.slice(0, at);
      const gone = attributes.some(
        (a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now()),
      );
      if (gone) jar.delete(name);
      else jar.set(name, pair.slice(at + 1));
    }
  }

  private async request(url: URL): Promise<{ status: number; location: string | undefined }> {
    if (url.origin === this.appOrigin) {
      const response = await this.app.app.inject({
        method: "GET",
        url: `${url.pathname}${url.search}`,
        headers: { cookie: this.cookieHeader(url), host: url.host },
      });
      const setCookie = response.headers["set-cookie"];
      this.remember(url, setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie]);
      const location = response.headers.location;
      return { status: response.statusCode, location: typeof location === "string" ? location : undefined };
    }
    const response = await fetch(url, { redirect: "manual", headers: { cookie: this.cookieHeader(url) } });
    this.remember(url, response.headers.getSetCookie());
    await response.arrayBuffer();
    return { status: response.status, location: response.headers.get("location") ?? undefined };
  }
}
