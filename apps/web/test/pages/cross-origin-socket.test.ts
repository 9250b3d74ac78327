import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedInAdmin, type SignedIn } from "./signed-in.js";

// Cross-site WebSocket hijacking (issue 17.2), in Chromium: a page on another origin of the same
// site (127.0.0.1, another port: the browser sends the admin's cookies to the platform with its
// WebSocket handshake) tries to open the live channels as the signed-in admin. It must not get a
// socket; the platform's own page, with the same cookies, does.

let session: SignedIn;
let evil: Server;
let evilOrigin: string;

/** A script that opens the platform's socket and reports whether it opened, and what it received. */
const probe = (socketUrl: string) => `
  window.outcome = new Promise((resolve) => {
    const socket = new WebSocket(${JSON.stringify(socketUrl)});
    const received = [];
    socket.onmessage = (event) => received.push(String(event.data));
    socket.onopen = () => setTimeout(() => resolve({ opened: true, received }), 500);
    socket.onerror = () => resolve({ opened: false, received });
  });
`;

beforeAll(async () => {
  session = await signedInAdmin();
  const socketUrl = `${session.baseUrl.replace("http", "ws")}/ws/connect?channels=history:GLOBAL`;
  evil = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html" });
    response.end(`<!doctype html><title>Totally harmless</title><script>${probe(socketUrl)}</script>`);
  });
  evil.listen(0, "127.0.0.1");
  await once(evil, "listening");
  evilOrigin = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await session?.close();
  evil?.close();
});

describe("a page on another origin", () => {
  it("cannot open the platform's WebSocket with the admin's cookie; the platform's own page can", async () => {
    const page = await session.context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${evilOrigin}/`);
    const stolen = await page.evaluate<{ opened: boolean; received: string[] }>("window.outcome");
    expect(stolen).toEqual({ opened: false, received: [] });

    // The same script on the platform's origin, with the same cookies: the socket opens.
    await page.goto(`${session.baseUrl}/`);
    const socketUrl = `${session.baseUrl.replace("http", "ws")}/ws/connect?channels=history:GLOBAL`;
    await page.evaluate(probe(socketUrl));
    const own = await page.evaluate<{ opened: boolean; received: string[] }>("window.outcome");
    expect(own.opened).toBe(true);
    expect(own.received.map((m) => JSON.parse(m) as { type: string })).toContainEqual(
      expect.objectContaining({ type: "connected" }),
    );
    await page.close();
  });
});
