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
        path: "admin/users/:userId",
        lazy: async () => ({ Component: (await import("./UserPage.js")).UserPage }),
      },
      {
        path: "admin/roles",
        lazy: async () => ({ Component: (await import("./RolesPage.js")).RolesPage }),
      },
      {
        path: "admin/roles/:roleId",
        lazy: async () => ({ Component: (await import("./RolePage.js")).RolePage }),
      },
      {
        path: "admin/audit",
        lazy: async () => ({ Component: (await import("./AuditPage.js")).AuditPage }),
      },
      {
        path: "admin/config",
        lazy: async () => ({ Component: (await import("./ConfigPage.js")).ConfigPage }),
      },
      {
        path: "admin/tables",
        lazy: async () => ({ Component: (await import("./TablesPage.js")).TablesPage }),
      },
      {
        path: "admin/tables/:tableId",
        lazy: async () => ({ Component: (await import("./TablePage.js")).TablePage }),
      },
      {
        path: "admin/integrations",
        lazy: async () => ({ Component: (await import("./IntegrationsPage.js")).IntegrationsPage }),
      },
      {
        path: "admin/schedules",
        lazy: async () => ({ Component: (await import("./SchedulesPage.js")).SchedulesPage }),
      },
      {
        path: "admin/webhooks",
        lazy: async () => ({ Component: (await import("./WebhooksPage.js")).WebhooksPage }),
      },
      {
        path: "admin/sso",
        lazy: async () => ({ Component: (await import("./SsoProvidersPage.js")).SsoProvidersPage }),
      },
      {
        path: "admin/mail",
        lazy: async () => ({ Component: (await import("./MailPage.js")).MailPage }),
      },
      {
        path: "admin/workers",
        lazy: async () => ({ Component: (await import("./WorkersPage.js")).WorkersPage }),
      },
    ],
  },
];
