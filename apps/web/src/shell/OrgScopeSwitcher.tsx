import type { listOf, organizationSchema } from "@bifrost/contracts";
import { useQuery } from "@tanstack/react-query";
import type { z } from "zod";
import { apiFetch } from "../api/client.js";
import { Select } from "../components/ui/index.js";
import { useOrgScope } from "./org-scope.js";

type OrganizationList = z.infer<ReturnType<typeof listOf<typeof organizationSchema>>>;

/** Platform admins only: which organization the pages show (all, or one). */
export function OrgScopeSwitcher() {
  const { scope, setScope } = useOrgScope();
  const organizations = useQuery({
    queryKey: ["organizations", "scope-switcher"],
    queryFn: () => apiFetch<OrganizationList>("/api/organizations?limit=1000"),
    staleTime: 60_000,
  });
  return (
    <label className="org-scope">
      <span className="visually-hidden">Organization scope</span>
      <Select
        value={scope ?? ""}
        onChange={(event) => setScope(event.target.value || null)}
        disabled={!organizations.data}
        title={organizations.isError ? "The organizations could not be loaded" : undefined}
      >
        <option value="">All organizations</option>
        {organizations.data?.items.map((org) => (
          <option key={org.id} value={org.id}>
            {org.name}
            {org.isProvider ? " (provider)" : ""}
          </option>
        ))}
      </Select>
    </label>
  );
}
