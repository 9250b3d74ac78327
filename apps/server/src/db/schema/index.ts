export * from "./organizations.js";
export * from "./users.js";
export * from "./roles.js";
export * from "./audit-logs.js";
export * from "./auth.js";
export * from "./workspace.js";
export * from "./workflows.js";
export * from "./executions.js";
