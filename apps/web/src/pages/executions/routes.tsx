import type { RouteObject } from "react-router";

/** Execution pages (history, detail with live logs); mounted inside the signed-in layout. */
export const executionPages: RouteObject[] = [];
