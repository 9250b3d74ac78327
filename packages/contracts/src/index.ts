export * from "./errors.js";
export * from "./health.js";
export * from "./auth.js";
export * from "./organizations.js";
export * from "./ipc.js";
