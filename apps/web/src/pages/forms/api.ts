import type { Form, FormStartupResult, Organization, Role, Workflow } from "@bifrost/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, apiFetch } from "../../api/client.js";

export type Page<T> = { items: T[]; nextCursor: string | null };

const formPath = (id: string) => `/api/forms/${encodeURIComponent(id)}`;

/** The forms the caller may run (platform admins: all). */
export function useForms() {
  return useQuery({
    queryKey: ["forms", "list"],
    queryFn: () => apiFetch<Page<Form>>("/api/forms?limit=1000"),
  });
}

export function useForm(id: string | undefined) {
  return useQuery({
    queryKey: ["forms", "one", id],
    queryFn: () => apiFetch<Form>(formPath(id ?? "")),
    enabled: Boolean(id),
    // A 404 is an answer (the form is out of reach), not a hiccup to retry.
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
  });
}

/** The launch workflow's run, once per opening of the form, with the page's query parameters. */
export function useStartup(form: Form | undefined, search: string) {
  return useQuery({
    queryKey: ["forms", "startup", form?.id, search],
    queryFn: () =>
      apiFetch<FormStartupResult>(`${formPath(form?.id ?? "")}/startup${search}`, {
        method: "POST",
        body: {},
      }),
    enabled: Boolean(form?.launchWorkflowId),
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
  });
}

export function useDeleteForm() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(formPath(id), { method: "DELETE" }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["forms"] }),
  });
}

export function useSaveForm(id: string | undefined) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: unknown) =>
      apiFetch<Form>(id ? formPath(id) : "/api/forms", { method: id ? "PUT" : "POST", body }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["forms"] }),
  });
}

export function useAllWorkflows() {
  return useQuery({
    queryKey: ["forms", "workflows"],
    queryFn: () => apiFetch<Page<Workflow>>("/api/workflows?limit=1000"),
  });
}

export function useOrganizationsList() {
  return useQuery({
    queryKey: ["forms", "organizations"],
    queryFn: () => apiFetch<Page<Organization>>("/api/organizations?limit=1000"),
  });
}

export function useRolesList() {
  return useQuery({
    queryKey: ["forms", "roles"],
    queryFn: () => apiFetch<Page<Role>>("/api/roles?limit=1000"),
  });
}

function csrfToken(): string | undefined {
  const match = /(?:^|; )csrf_token=([^;]*)/.exec(document.cookie);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

/**
 * One file of a file field: a signed URL from the API, then the bytes PUT to it (an XHR, for the
 * upload's progress). Answers the path the field's value `{ path }` names.
 */
export async function uploadFormFile(
  formId: string,
  fieldName: string,
  file: File,
  onProgress: (percent: number) => void,
): Promise<string> {
  const contentType = file.type || "application/octet-stream";
  const { uploadUrl, path } = await apiFetch<{ uploadUrl: string; path: string }>(
    `${formPath(formId)}/upload`,
    { method: "POST", body: { fieldName, fileName: file.name, contentType, size: file.size } },
  );
  await new Promise<void>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", uploadUrl);
    xhr.setRequestHeader("content-type", contentType);
    const csrf = csrfToken();
    if (csrf) xhr.setRequestHeader("x-csrf-token", csrf);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(100);
        resolve();
        return;
      }
      let message = `HTTP ${xhr.status}`;
      try {
        message = (JSON.parse(xhr.responseText) as { message?: string }).message ?? message;
      } catch {
        // not JSON: keep the status
      }
      reject(new Error(message));
    };
    xhr.onerror = () => reject(new Error("The upload could not reach the server"));
    xhr.send(file);
  });
  return path;
}
