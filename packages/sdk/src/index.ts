/**
 * @bifrost/sdk — what workflow authors import (API.md "The SDK"): the definitions, `z`, `UserError`
 * and the modules that act inside the run's organization.
 */
export { z } from "zod";
export { workflow, tool, dataProvider } from "./definitions.js";
export type {
  Definition,
  DefinitionOptions,
  DefinitionType,
  WorkflowDefinition,
  ToolDefinition,
  DataProviderDefinition,
  DataProviderOption,
  InputIssue,
  ParamsSchema,
} from "./definitions.js";
export { UserError, BifrostApiError, NotFoundError } from "./errors.js";
export type { WorkflowContext, WorkflowLogger, LogLevel, TriggeredBy } from "./context.js";
export { executions, workflows } from "./modules/executions.js";
export type { Execution, ExecutionStatus, ExecuteResult } from "./modules/executions.js";
export { tables } from "./modules/tables.js";
export type {
  BatchDocument,
  DocumentData,
  FieldCondition,
  FieldValue,
  QueryOptions,
  QueryResult,
  Table,
  TableDocument,
  Where,
} from "./modules/tables.js";
export { files } from "./modules/files.js";
export type { FileInfo, FileLocation, FileOptions, SignedUrl, SignedUrlOptions } from "./modules/files.js";
export { config } from "./modules/config.js";
export type { ConfigItem, ConfigType, JsonValue, Widened } from "./modules/config.js";
export { integrations } from "./modules/integrations.js";
export type { Integration, IntegrationMapping, OAuthToken } from "./modules/integrations.js";

export { SDK_VERSION } from "./version.js";
