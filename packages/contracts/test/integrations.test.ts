import { describe, expect, it } from "vitest";
import { createOAuthProviderSchema, updateOAuthProviderSchema } from "../src/integrations.js";

const provider = {
  name: "psa",
  flow: "authorization_code" as const,
  clientId: "client",
  authorizeUrl: "https://psa.example/oauth/authorize",
  tokenUrl: "https://psa.example/oauth/token",
};

describe("OAuth provider URLs", () => {
  it("accepts http and https URLs", () => {
    expect(createOAuthProviderSchema.safeParse(provider).success).toBe(true);
    expect(
      createOAuthProviderSchema.safeParse({ ...provider, tokenUrl: "http://127.0.0.1:9000/token" }).success,
    ).toBe(true);
  });

  it("refuses script and data URLs, where the Connect button would send the browser", () => {
    for (const url of [
      "javascript:alert(1)//x",
      "data:text/html,<script>alert(1)</script>",
      "file:///etc/passwd",
    ]) {
      expect(createOAuthProviderSchema.safeParse({ ...provider, authorizeUrl: url }).success).toBe(false);
      expect(createOAuthProviderSchema.safeParse({ ...provider, tokenUrl: url }).success).toBe(false);
      expect(updateOAuthProviderSchema.safeParse({ authorizeUrl: url }).success).toBe(false);
    }
  });
});
