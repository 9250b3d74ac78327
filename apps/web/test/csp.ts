import type { BrowserContext, Page } from "playwright-core";

/** A Content-Security-Policy violation as the browser reported it. */
type CspViolation = { directive: string; blocked: string; sample: string; where: string };

/**
 * Records every CSP violation of the context's pages, from two sources: the `securitypolicyviolation`
 * event of each document (its detail), and Chromium's console errors ("Refused to …", which also
 * cover frames whose load the policy blocked, where no script of the page runs). Playwright's init
 * script and binding go through the DevTools protocol, which the page's policy does not govern.
 */
export async function watchCsp(context: BrowserContext): Promise<{ violations(): string[]; clear(): void }> {
  const found: string[] = [];
  await context.exposeBinding("__bifrostCspViolation", (_source, violation: CspViolation) => {
    found.push(
      `${violation.directive} blocked ${violation.blocked} (${violation.sample}) at ${violation.where}`,
    );
  });
  // A string: the tests' TypeScript has no DOM types (the page's code is not the test's).
  await context.addInitScript(`document.addEventListener("securitypolicyviolation", (event) => {
    window.__bifrostCspViolation?.({
      directive: event.effectiveDirective,
      blocked: event.blockedURI,
      sample: event.sample,
      where: (event.sourceFile || event.documentURI) + ":" + event.lineNumber,
    });
  });`);
  const listen = (page: Page): void => {
    page.on("console", (message) => {
      if (message.type() === "error" && /Content Security Policy/i.test(message.text()))
        found.push(`console: ${message.text()}`);
    });
  };
  context.pages().forEach(listen);
  context.on("page", listen);
  return {
    violations: () => [...found],
    clear: () => {
      found.length = 0;
    },
  };
}
