import { useAllOrganizations } from "../api/queries.js";
import { Select } from "../components/ui/index.js";
import { useOrgScope } from "./org-scope.js";

/** Platform admins only: which organization the pages show (all, or one). */
export function OrgScopeSwitcher() {
  const { scope, setScope } = useOrgScope();
  const organizations = useAllOrganizations();
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
        {organizations.data?.map((org) => (
          <option key={org.id} value={org.id}>
            {org.name}
            {org.isProvider ? " (provider)" : ""}
          </option>
        ))}
      </Select>
    </label>
  );
}
