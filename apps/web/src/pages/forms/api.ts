import type { Form, FormStartupResult } from "@bifrost/contracts";
import { useQuery } from "@tanstack/react-query";
import { ApiError, apiFetch } from "../../api/client.js";
import { fetchAllPages, useInvalidatingMutation } from "../../api/queries.js";

const formPath = (id: string) => `/api/forms/${encodeURIComponent(id)}`;

/** Every form the caller may run (platform admins: all), page after page. */
export function useForms() {
  return useQuery({
    queryKey: ["forms", "list"],
    queryFn: ({ signal }) => fetchAllPages<Form>("/api/forms", signal),
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
  return useInvalidatingMutation(["forms"], (id: string) =>
    apiFetch<void>(formPath(id), { method: "DELETE" }),
  );
}

export function useSaveForm(id: string | undefined) {
  return useInvalidatingMutation(["forms"], (body: unknown) =>
    apiFetch<Form>(id ? formPath(id) : "/api/forms", { method: id ? "PUT" : "POST", body }),
  );
}

/**
 * Where the bytes go: the API's signed URL. A same-origin one is resolved against this page; any
 * other is used as is. The signed URL is its own authorization: no cookies, no CSRF header.
 */
function uploadTarget(uploadUrl: string): { url: string; sameOrigin: boolean } {
  const url = new URL(uploadUrl, window.location.origin);
  return url.origin === window.location.origin
    ? { url: url.toString(), sameOrigin: true }
    : { url: uploadUrl, sameOrigin: false };
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
    const target = uploadTarget(uploadUrl);
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", target.url);
    // No CSRF header and, cross-origin, no cookies either: the signed URL alone authorizes the PUT.
    if (!target.sameOrigin) xhr.withCredentials = false;
    xhr.setRequestHeader("content-type", contentType);
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
