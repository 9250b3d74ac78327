import * as Comlink from "comlink";
import type { TypeScriptWorker } from "./ts-worker.js";

/** The language service in its worker, as the page calls it. */
export type TypeScriptService = Comlink.Remote<TypeScriptWorker>;

/**
 * Starts the worker (a same-origin module script: the Content-Security-Policy's `worker-src 'self'`)
 * with the workspace's files. Its module holds TypeScript and the declarations, so it is fetched
 * only here, when the editor opens.
 */
export async function startTypeScript(
  files: Record<string, string>,
): Promise<{ service: TypeScriptService; stop: () => void }> {
  const worker = new Worker(new URL("./ts-worker.ts", import.meta.url), {
    type: "module",
    name: "typescript",
  });
  const service = Comlink.wrap<TypeScriptWorker>(worker);
  const stop = () => {
    service[Comlink.releaseProxy]();
    worker.terminate();
  };
  // A worker that fails to load or throws while starting answers nothing: its error event says why.
  const failed = new Promise<never>((_resolve, reject) =>
    worker.addEventListener(
      "error",
      (event) => reject(new Error(event.message || "the worker failed to start")),
      {
        once: true,
      },
    ),
  );
  try {
    await Promise.race([failed, service.setWorkspace(files).then(() => service.initialize())]);
  } catch (error) {
    stop();
    throw error;
  }
  return { service, stop };
}
