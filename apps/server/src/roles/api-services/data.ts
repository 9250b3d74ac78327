import type { ApiServices } from "../../api/api-services.js";
import type { Logger } from "../../infra/logger.js";
import { ConfigsRepository } from "../../repositories/configs.js";
import { FormUploadsRepository } from "../../repositories/form-uploads.js";
import { FormsRepository } from "../../repositories/forms.js";
import { DocumentsRepository, TablesRepository } from "../../repositories/tables.js";
import { WorkflowsRepository } from "../../repositories/workflows.js";
import { ConfigService } from "../../services/config/config-service.js";
import { discoverDefinitions } from "../../services/execution/pool/discovery.js";
import type { Isolation } from "../../services/execution/pool/isolation.js";
import { FilesService } from "../../services/files/files-service.js";
import { SignedUrls } from "../../services/files/signed-urls.js";
import { FormRuns } from "../../services/forms/form-runs.js";
import { FormsService } from "../../services/forms/forms-service.js";
import { DocumentsService } from "../../services/tables/documents-service.js";
import { TablesService } from "../../services/tables/tables-service.js";
import { WorkflowsService } from "../../services/workflows/workflows-service.js";
import { WorkspaceService } from "../../services/workspace/workspace-service.js";
import { WorkspaceWriter, type Discover } from "../../services/workspace/workspace-writer.js";
import type { Core } from "./core.js";

/** What workflows are made of and work with: the workspace, workflows, files, config, tables, forms. */
export function dataServices(
  core: Core,
  engine: Pick<ApiServices, "executions">,
): Pick<
  ApiServices,
  "workspace" | "workflows" | "files" | "config" | "tables" | "documents" | "forms" | "formRuns"
> {
  const { deps, organizations, audit, clock, secretBox, workspaceFiles } = core;
  const tables = new TablesService({ tables: new TablesRepository(deps.db), audit });
  const signedUrls = new SignedUrls(secretBox.deriveKey("files-signed-url"), clock);
  const forms = new FormsService({
    forms: new FormsRepository(deps.db),
    runnable: core.runnable,
    organizations,
    audit,
  });
  return {
    workspace: new WorkspaceService({
      files: workspaceFiles,
      writer: new WorkspaceWriter({
        files: workspaceFiles,
        compiled: core.compiled,
        discover: discoverWith({
          runtimeDir: core.runtimeDir,
          isolation: core.isolation,
          ...(deps.logger ? { logger: deps.logger } : {}),
        }),
      }),
      audit,
    }),
    workflows: new WorkflowsService({ workflows: new WorkflowsRepository(deps.db), organizations, audit }),
    files: new FilesService({
      files: deps.files,
      workspace: workspaceFiles,
      organizations,
      signedUrls,
      clock,
      publicUrl: deps.publicUrl,
    }),
    config: new ConfigService({ configs: new ConfigsRepository(deps.db), organizations, secretBox, audit }),
    tables,
    documents: new DocumentsService({ tables, documents: new DocumentsRepository(deps.db) }),
    forms,
    formRuns: new FormRuns({
      forms,
      runnable: core.runnable,
      executions: engine.executions,
      files: deps.files,
      uploads: new FormUploadsRepository(deps.db),
      signedUrls,
      clock,
      publicUrl: deps.publicUrl,
    }),
  };
}

/** Definitions of a compiled module, described by a sandboxed child (services/execution/pool/discovery.ts). */
function discoverWith(deps: { runtimeDir: string; logger?: Logger; isolation: Isolation }): Discover {
  return (input) =>
    discoverDefinitions({
      ...input,
      runtimeDir: deps.runtimeDir,
      isolation: deps.isolation,
      ...(deps.logger ? { logger: deps.logger } : {}),
    });
}
