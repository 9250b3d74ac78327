import type { ReactNode } from "react";
import { useAllOrganizations } from "../api/queries.js";
import { Field, Select } from "./ui/index.js";

/**
 * The organization a new record belongs to: "Global" (value "") or one of every organization.
 * `globalLabel` names the empty choice ("Global", "The provider organization", …).
 */
export function OrganizationSelect({
  value,
  onChange,
  label = "Organization",
  hint,
  globalLabel = "Global",
  disabled,
}: {
  value: string;
  onChange: (organizationId: string) => void;
  label?: string;
  hint?: ReactNode;
  globalLabel?: string;
  disabled?: boolean;
}) {
  const organizations = useAllOrganizations();
  return (
    <Field
      label={label}
      hint={hint}
      error={organizations.isError ? "The organizations could not be loaded." : undefined}
    >
      {(ids) => (
        <Select {...ids} value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled}>
          <option value="">{globalLabel}</option>
          {(organizations.data ?? []).map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </Select>
      )}
    </Field>
  );
}
