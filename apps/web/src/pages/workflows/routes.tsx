import type { RouteObject } from "react-router";

/** Workflow pages (list, detail and settings, run page); mounted inside the signed-in layout. */
export const workflowPages: RouteObject[] = [
  {
    path: "workflows",
    lazy: async () => ({ Component: (await import("./WorkflowListPage.js")).WorkflowListPage }),
  },
  {
    path: "workflows/:id",
    lazy: async () => ({ Component: (await import("./WorkflowDetailPage.js")).WorkflowDetailPage }),
  },
  {
    path: "workflows/:id/run",
    lazy: async () => ({ Component: (await import("./WorkflowRunPage.js")).WorkflowRunPage }),
  },
];
