/** The sections of the signed-in layout; `platformAdmin` entries are hidden from organization users. */
export type NavEntry = { to: string; label: string; platformAdmin?: boolean };

export const navEntries: NavEntry[] = [
  { to: "/workflows", label: "Workflows" },
  { to: "/executions", label: "Executions" },
  { to: "/editor", label: "Editor", platformAdmin: true },
  { to: "/admin/organizations", label: "Organizations", platformAdmin: true },
  { to: "/admin/users", label: "Users", platformAdmin: true },
  { to: "/admin/roles", label: "Roles", platformAdmin: true },
  { to: "/admin/audit", label: "Audit log", platformAdmin: true },
];
