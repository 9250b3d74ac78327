import type { RouteObject } from "react-router";

/** Workflow pages (list, detail and settings, run page); mounted inside the signed-in layout. */
export const workflowPages: RouteObject[] = [];
