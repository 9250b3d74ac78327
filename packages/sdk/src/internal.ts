/**
 * @bifrost/sdk/internal — what the platform's runtime shares with the SDK, not for authors: the
 * symbol a definition carries its internals under, and the hooks a run installs. Both are
 * `Symbol.for` keys, so the runtime can also find them without importing this.
 */
export { DEFINITION } from "./definitions.js";
export type { DefinitionInternals } from "./definitions.js";
export { RUNTIME } from "./context.js";
export type { RuntimeHooks } from "./context.js";
