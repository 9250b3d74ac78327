import { randomUUID } from "node:crypto";
import path from "node:path";
import {
  formOptionSchema,
  type FormDataProvider,
  type FormExecuteRequest,
  type FormFieldValidation,
  type FormOption,
  type FormStartupResult,
} from "@bifrost/contracts";
import { NotFoundError, RateLimitedError, ValidationError } from "../../errors.js";
import type { Clock } from "../../infra/clock.js";
import { assertSafeKey, type FileStore } from "../../infra/files/file-store.js";
import type { FormUploadsRepository } from "../../repositories/form-uploads.js";
import type { FormFieldRow, FormRow } from "../../repositories/forms.js";
import type { WorkflowRow } from "../../repositories/workflows.js";
import type { RunnableWorkflows } from "../workflows/runnable-workflows.js";
import { type ExecuteAnswer, type ExecutionService } from "../execution/accept/execution-service.js";
import { contentTypeAllowed, mediaTypeOf } from "../files/content-types.js";
import { DEFAULT_MAX_UPLOAD_BYTES, storeKeyOf } from "../files/files-service.js";
import type { SignedUrls } from "../files/signed-urls.js";
import { checkValues, isFileValue, shownValues } from "./field-values.js";
import { FORM_UPLOAD_MAX_AGE_MS } from "./form-uploads-cleanup.js";
import type { FormsService, LoadedForm } from "./forms-service.js";
import { callerOf, type Principal } from "../../principal.js";

/** Signed upload URLs of forms live this long: enough to pick and send a large file. */
const UPLOAD_URL_SECONDS = 15 * 60;
/**
 * Upload URLs one user may hold for one file field between two submissions of the form (a field
 * takes one file: the rest is for a file picked again). Past it: 429 until a submission or 24 h.
 */
const PENDING_UPLOADS_PER_FIELD = 5;
const REFERENCE = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;

const paramNamesOf = (workflow: WorkflowRow): Set<string> =>
  new Set(Object.keys((workflow.parametersSchema.properties as Record<string, unknown> | undefined) ?? {}));

const pick = (values: Record<string, unknown>, names: Set<string>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(values).filter(([name]) => names.has(name)));

/**
 * What people do with a form: startup, data-provider options, upload, execute. Access to the form
 * is enough to run its workflow and data providers through these routes (API.md "Forms"), so runs
 * go through ExecutionService.executeAuthorized with workflows the form itself names — checked
 * to be active and global or of the form's organization at each run (`RunnableWorkflows.forTrigger`:
 * a workflow can move or go away after the form was saved).
 */
export class FormRuns {
  constructor(
    private readonly deps: {
      forms: FormsService;
      runnable: Pick<RunnableWorkflows, "forTrigger">;
      executions: ExecutionService;
      files: FileStore;
      uploads: Pick<FormUploadsRepository, "reserve" | "recordSubmission">;
      signedUrls: SignedUrls;
      clock: Clock;
      /** BIFROST_PUBLIC_URL: the origin of signed URLs; unset, the origin the request came to. */
      publicUrl?: string | undefined;
    },
  ) {}

  /** Runs the launch workflow (sync) with the allowed query parameters it takes. */
  async startup(principal: Principal, id: string, query: Record<string, string>): Promise<FormStartupResult> {
    const { form } = await this.deps.forms.load(callerOf(principal), id);
    if (!form.launchWorkflowId)
      return { executionId: null, status: null, result: null, error: null, durationMs: null };
    const workflow = await this.workflow(form, form.launchWorkflowId);
    const allowed = new Set(form.allowedQueryParams.filter((name) => paramNamesOf(workflow).has(name)));
    const answer = await this.run(principal, form, workflow, pick(query, allowed), true);
    if (answer.mode !== "sync") throw new Error("a sync run answered async");
    return answer.body;
  }

  /** The options of a choice field for these values: its own, or its data provider's. */
  async options(
    principal: Principal,
    id: string,
    fieldName: string,
    values: Record<string, unknown>,
  ): Promise<{ options: FormOption[]; error?: string }> {
    const loaded = await this.deps.forms.load(callerOf(principal), id);
    const field = loaded.fields.find((f) => f.name === fieldName);
    if (!field) throw new NotFoundError("Field not found");
    return this.optionsOf(principal, loaded, field, shownValues(loaded.fields, values));
  }

  /** Checks the values against the fields (422), then runs the form's workflow with its parameters. */
  async execute(principal: Principal, id: string, request: FormExecuteRequest): Promise<ExecuteAnswer> {
    const loaded = await this.deps.forms.load(callerOf(principal), id);
    const { form } = loaded;
    const workflow = await this.workflow(form, form.workflowId);
    const checked = await checkValues(loaded.fields, request.values, {
      optionsOf: (field, values) => this.optionsOf(principal, loaded, field, values),
      checkFile: (field, filePath) => this.checkFile(principal, form, workflow, field, filePath),
    });
    if (checked.errors.length > 0)
      throw new ValidationError("The values do not match the form's fields", checked.errors);
    // Before the run starts: from here its uploads are referenced, and the cleanup keeps them.
    const scope = {
      organizationId: runOrganization(principal, form, workflow),
      location: "uploads" as const,
    };
    const referenced = loaded.fields.flatMap((field) => {
      const value = checked.values[field.name];
      return field.type === "file" && isFileValue(value)
        ? [{ storeKey: storeKeyOf(scope, value.path), fieldName: field.name }]
        : [];
    });
    await this.deps.uploads.recordSubmission(
      form.id,
      principal.userId,
      referenced,
      new Date(this.deps.clock.now()),
    );
    return this.run(principal, form, workflow, pick(checked.values, paramNamesOf(workflow)), request.sync);
  }

  /** A signed PUT URL for one file of a file field, in the uploads of the run's organization. */
  async upload(
    principal: Principal,
    id: string,
    request: { fieldName: string; fileName: string; contentType: string; size: number },
    requestOrigin: string,
  ): Promise<{ uploadUrl: string; path: string }> {
    const { form, fields } = await this.deps.forms.load(callerOf(principal), id);
    const field = fields.find((f) => f.name === request.fieldName);
    if (!field || field.type !== "file")
      throw new ValidationError("No such file field", [
        { path: "body.fieldName", message: "the form has no file field of this name" },
      ]);
    const rules = (field.validation ?? {}) as FormFieldValidation;
    const maxSize = rules.maxSize ?? DEFAULT_MAX_UPLOAD_BYTES;
    if (request.size > maxSize)
      throw new ValidationError("The file is too large", [
        { path: "body.size", message: `at most ${maxSize} bytes` },
      ]);
    if (rules.allowedTypes && !contentTypeAllowed(request.contentType, rules.allowedTypes))
      throw new ValidationError("This type of file is not accepted", [
        { path: "body.contentType", message: `one of ${rules.allowedTypes.join(", ")}` },
      ]);
    const workflow = await this.workflow(form, form.workflowId);
    const safeName = path.posix.basename(request.fileName.replaceAll("\\", "/")).replace(/[^\w.\- ]/g, "_");
    const filePath = `${uploadsPrefix(form)}${randomUUID()}/${/^\.*$/.test(safeName) ? "file" : safeName}`;
    assertSafeKey(filePath, "body.fileName");
    const organizationId = runOrganization(principal, form, workflow);
    await this.reserve(principal, form, field, storeKeyOf({ organizationId, location: "uploads" }, filePath));
    const token = this.deps.signedUrls.sign({
      method: "PUT",
      organizationId,
      location: "uploads",
      path: filePath,
      expiresAt: Math.floor(this.deps.clock.now() / 1000) + UPLOAD_URL_SECONDS,
      // The PUT enforces the field's limits itself: what was declared here is not trusted there.
      maxBytes: maxSize,
      // The declared type, already checked against the field's list: the bytes must come as that.
      ...(rules.allowedTypes ? { contentTypes: [mediaTypeOf(request.contentType)] } : {}),
    });
    const origin = (this.deps.publicUrl ?? requestOrigin).replace(/\/+$/, "");
    return { uploadUrl: `${origin}/api/files/signed?token=${token}`, path: filePath };
  }

  /** Records the upload, within the user's pending uploads of the field (429 past the cap). */
  private async reserve(principal: Principal, form: FormRow, field: FormFieldRow, storeKey: string) {
    const now = this.deps.clock.now();
    const answer = await this.deps.uploads.reserve(
      {
        storeKey,
        formId: form.id,
        fieldName: field.name,
        userId: principal.userId,
        createdAt: new Date(now),
      },
      PENDING_UPLOADS_PER_FIELD,
      new Date(now - FORM_UPLOAD_MAX_AGE_MS),
    );
    if (answer.reserved) return;
    const freedInMs = answer.oldest.getTime() + FORM_UPLOAD_MAX_AGE_MS - now;
    throw new RateLimitedError(
      `At most ${PENDING_UPLOADS_PER_FIELD} files per field until the form is submitted`,
      Math.max(1, Math.ceil(freedInMs / 1000)),
    );
  }

  private async workflow(form: FormRow, workflowId: string): Promise<WorkflowRow> {
    const workflow = await this.deps.runnable.forTrigger(form.organizationId, workflowId);
    if (!workflow) throw new NotFoundError("The form's workflow is not available");
    return workflow;
  }

  private run(
    principal: Principal,
    form: FormRow,
    workflow: WorkflowRow,
    inputData: Record<string, unknown>,
    sync: boolean,
  ): Promise<ExecuteAnswer> {
    return this.deps.executions.executeAuthorized(
      principal,
      workflow,
      {
        inputData,
        sync,
        // A platform admin runs an organization's form inside that organization.
        ...(principal.isSuperuser && form.organizationId ? { organizationId: form.organizationId } : {}),
      },
      { triggeredBy: "form" },
    );
  }

  /** Static options, or the data provider's (a cached sync run) with inputs from the other values. */
  private async optionsOf(
    principal: Principal,
    { form }: LoadedForm,
    field: FormFieldRow,
    values: Record<string, unknown>,
  ): Promise<{ options: FormOption[]; error?: string }> {
    const provider = field.dataProvider as FormDataProvider | null;
    if (!provider) return { options: field.options ?? [] };
    const workflow = await this.workflow(form, provider.workflowId);
    const params = paramNamesOf(workflow);
    const inputs: Record<string, unknown> = {};
    if (provider.inputs) {
      for (const [param, spec] of Object.entries(provider.inputs)) {
        const reference = typeof spec === "string" ? REFERENCE.exec(spec) : null;
        const value = reference ? values[reference[1] ?? ""] : spec;
        if (value !== undefined) inputs[param] = value;
      }
    } else {
      for (const [name, value] of Object.entries(values)) if (name !== field.name) inputs[name] = value;
    }
    const answer = await this.run(principal, form, workflow, pick(inputs, params), true);
    if (answer.mode !== "sync") throw new Error("a data provider answered async");
    const { status, result, error } = answer.body;
    if (status !== "Success" || !Array.isArray(result))
      return { options: [], error: error ?? `the data provider ended ${status} without a list of options` };
    return {
      options: result.flatMap((item) => {
        const parsed = formOptionSchema.safeParse(item);
        return parsed.success ? [{ label: parsed.data.label, value: parsed.data.value }] : [];
      }),
    };
  }

  /** A file value: uploaded for this form, present, and within the field's limits. */
  private async checkFile(
    principal: Principal,
    form: FormRow,
    workflow: WorkflowRow,
    field: FormFieldRow,
    filePath: string,
  ): Promise<string | undefined> {
    if (!filePath.startsWith(uploadsPrefix(form))) return "must be a file uploaded for this form";
    try {
      assertSafeKey(filePath);
    } catch {
      return "is not a valid path";
    }
    const scope = {
      organizationId: runOrganization(principal, form, workflow),
      location: "uploads" as const,
    };
    const key = storeKeyOf(scope, filePath);
    const stored = (await this.deps.files.list(key)).find((file) => file.key === key);
    if (!stored) return "the file was not uploaded";
    const maxSize = ((field.validation ?? {}) as FormFieldValidation).maxSize ?? DEFAULT_MAX_UPLOAD_BYTES;
    return stored.size > maxSize ? `the file holds more than ${maxSize} bytes` : undefined;
  }
}

const uploadsPrefix = (form: FormRow): string => `forms/${form.id}/`;

/** Where the run happens, as ExecutionService decides it (see `run`): the uploads must be there too. */
const runOrganization = (principal: Principal, form: FormRow, workflow: WorkflowRow): string =>
  workflow.organizationId ?? form.organizationId ?? principal.organizationId;
