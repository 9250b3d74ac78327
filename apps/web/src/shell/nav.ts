/** The sections of the signed-in layout; `platformAdmin` entries are hidden from organization users. */
type NavEntry = { to: string; label: string; platformAdmin?: boolean };
export type NavGroup = { label: string; entries: NavEntry[] };

const navGroups: NavGroup[] = [
  {
    label: "Run",
    entries: [
      { to: "/workflows", label: "Workflows" },
      { to: "/forms", label: "Forms" },
      { to: "/executions", label: "Executions" },
    ],
  },
  {
    label: "Build",
    entries: [
      { to: "/editor", label: "Editor", platformAdmin: true },
      { to: "/admin/tables", label: "Tables", platformAdmin: true },
      { to: "/admin/config", label: "Config & secrets", platformAdmin: true },
      { to: "/admin/integrations", label: "Integrations", platformAdmin: true },
    ],
  },
  {
    label: "Triggers",
    entries: [
      { to: "/admin/schedules", label: "Schedules", platformAdmin: true },
      { to: "/admin/webhooks", label: "Webhooks", platformAdmin: true },
    ],
  },
  {
    label: "Administration",
    entries: [
      { to: "/admin/organizations", label: "Organizations", platformAdmin: true },
      { to: "/admin/users", label: "Users", platformAdmin: true },
      { to: "/admin/roles", label: "Roles", platformAdmin: true },
      { to: "/admin/sso", label: "Single sign-on", platformAdmin: true },
      { to: "/admin/audit", label: "Audit log", platformAdmin: true },
      { to: "/admin/mail", label: "Mail", platformAdmin: true },
      { to: "/admin/workers", label: "Workers", platformAdmin: true },
    ],
  },
];

/** The groups and entries a user may see: organization users get no empty admin headings. */
export function visibleNav(isPlatformAdmin: boolean): NavGroup[] {
  return navGroups
    .map((group) => ({ ...group, entries: group.entries.filter((e) => !e.platformAdmin || isPlatformAdmin) }))
    .filter((group) => group.entries.length > 0);
}
