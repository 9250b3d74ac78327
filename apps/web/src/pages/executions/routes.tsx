import type { RouteObject } from "react-router";

/** Execution pages (history, detail with live logs); mounted inside the signed-in layout. */
export const executionPages: RouteObject[] = [
  {
    path: "executions",
    lazy: async () => ({ Component: (await import("./ExecutionListPage.js")).ExecutionListPage }),
  },
  {
    path: "executions/:id",
    lazy: async () => ({ Component: (await import("./ExecutionDetailPage.js")).ExecutionDetailPage }),
  },
];
