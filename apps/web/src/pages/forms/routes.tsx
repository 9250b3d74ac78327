import type { RouteObject } from "react-router";
import { RequirePlatformAdmin } from "../../shell/guards.js";

/** Forms: every user lists and runs the forms they may use; platform admins build them. */
export const formPages: RouteObject[] = [
  {
    path: "forms",
    lazy: async () => ({ Component: (await import("./FormListPage.js")).FormListPage }),
  },
  {
    element: <RequirePlatformAdmin />,
    children: [
      {
        path: "forms/new",
        lazy: async () => ({ Component: (await import("./FormBuilderPage.js")).FormBuilderPage }),
      },
      {
        path: "forms/:formId/edit",
        lazy: async () => ({ Component: (await import("./FormBuilderPage.js")).FormBuilderPage }),
      },
    ],
  },
  {
    path: "forms/:formId",
    lazy: async () => ({ Component: (await import("./FormRunPage.js")).FormRunPage }),
  },
];
