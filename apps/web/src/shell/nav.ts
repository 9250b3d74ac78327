/** The sections of the signed-in layout; `platformAdmin` entries are hidden from organization users. */
export type NavEntry = { to: string; label: string; platformAdmin?: boolean };

export const navEntries: NavEntry[] = [
  { to: "/workflows", label: "Workflows" },
  { to: "/executions", label: "Executions" },
];
