import type { RouteObject } from "react-router";
import { RequirePlatformAdmin } from "../../shell/guards.js";

/** The workspace editor (platform admins only); mounted inside the signed-in layout. */
export const editorPages: RouteObject[] = [
  {
    element: <RequirePlatformAdmin />,
    children: [
      {
        path: "editor",
        lazy: async () => ({ Component: (await import("./EditorPage.js")).EditorPage }),
      },
    ],
  },
];
