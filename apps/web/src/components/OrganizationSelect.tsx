import type { ReactNode } from "react";
import { useAllOrganizations } from "../api/queries.js";
import { Field, Select } from "./ui/index.js";

/**
 * An organization chosen among every organization, or the empty choice (value ""): "Global" for the
 * organization a new record belongs to; `globalLabel` names it otherwise ("The provider
 * organization", "All organizations" in a filter, …).
 */
export function OrganizationSelect({
  value,
  onChange,
  label = "Organization",
  hint,
  globalLabel = "Global",
  disabled,
  required,
}: {
  value: string;
  onChange: (organizationId: string) => void;
  label?: string;
  hint?: ReactNode;
  globalLabel?: string;
  disabled?: boolean;
  /** The empty choice is not an answer (the organization must be picked). */
  required?: boolean;
}) {
  const organizations = useAllOrganizations();
  return (
    <Field
      label={label}
      hint={hint}
      error={organizations.isError ? "The organizations could not be loaded." : undefined}
    >
      {(ids) => (
        <Select
          {...ids}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          disabled={disabled}
          required={required}
        >
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
