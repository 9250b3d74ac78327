export * from "./errors.js";
export * from "./health.js";
export * from "./auth.js";
export * from "./organizations.js";
export * from "./ipc.js";
export * from "./executions.js";
export * from "./workspace.js";
export * from "./workflows.js";
