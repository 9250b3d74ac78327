/** Replaced by the package's version when scripts/bundle-sdk.mjs builds dist/ (esbuild `define`). */
declare const BIFROST_SDK_VERSION: string | undefined;

/** The version of this SDK: its package.json's. */
export const SDK_VERSION: string =
  typeof BIFROST_SDK_VERSION === "string" ? BIFROST_SDK_VERSION : "0.0.0-source";
