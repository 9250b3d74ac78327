import { describe, expect, it } from "vitest";
import { safeNext } from "../src/shell/safe-next.js";

// `next` comes from the query string of /login, so anyone can put a link to the sign-in page with a
// `next` of their choosing in a mail: after signing in, the user must land on a page of this site,
// never on another origin (an open redirect is a phishing tool). A browser reads a backslash as a
// slash, drops tabs and newlines from URLs, and react-router's navigate() decodes nothing — but the
// path may be used as a URL elsewhere, so encoded forms of those are refused as well.

describe("safeNext", () => {
  it.each([
    ["/", "/"],
    ["/executions/123", "/executions/123"],
    ["/forms/abc?x=1&y=%2F#top", "/forms/abc?x=1&y=%2F#top"],
    ["/admin/workers", "/admin/workers"],
    ["/workflows/a%20b", "/workflows/a%20b"],
  ])("keeps the path of this site %s", (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });

  it.each([
    // Another origin, however it is spelled.
    "//evil.example",
    "//evil.example/login",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil",
    "\\/evil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "/%2F/evil.example",
    "/%2fevil.example",
    "%2F%2Fevil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    " //evil.example",
    "/%00/evil.example",
    "/%E0%A4%A", // not decodable
    // Not a path at all.
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(document.domain)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "executions/123",
    "",
  ])("refuses %j and goes home", (next) => {
    expect(safeNext(next)).toBe("/");
  });

  it("goes home without a next", () => {
    expect(safeNext(null)).toBe("/");
    expect(safeNext(undefined)).toBe("/");
  });
});
