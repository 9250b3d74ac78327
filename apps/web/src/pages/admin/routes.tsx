import type { RouteObject } from "react-router";
import { RequirePlatformAdmin } from "../../shell/guards.js";

/** Platform-admin pages; organization users get "Not found" (as from the API). */
export const adminPages: RouteObject[] = [
  {
    element: <RequirePlatformAdmin />,
    children: [
      {
        path: "admin/organizations",
        lazy: async () => ({ Component: (await import("./OrganizationsPage.js")).OrganizationsPage }),
      },
      {
        path: "admin/users",
        lazy: async () => ({ Component: (await import("./UsersPage.js")).UsersPage }),
      },
      {
        path: "admin/roles",
        lazy: async () => ({ Component: (await import("./RolesPage.js")).RolesPage }),
      },
      {
        path: "admin/audit",
        lazy: async () => ({ Component: (await import("./AuditPage.js")).AuditPage }),
      },
    ],
  },
];
