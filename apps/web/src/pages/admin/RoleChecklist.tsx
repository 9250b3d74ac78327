import type { Role } from "@bifrost/contracts";
import type { ReactNode } from "react";

/** A fieldset of roles to tick: `value` holds the chosen ids. */
export function RoleChecklist({
  legend,
  roles,
  value,
  onChange,
  children,
}: {
  legend: string;
  roles: readonly Role[];
  value: readonly string[];
  onChange: (roleIds: string[]) => void;
  children?: ReactNode;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      <ul className="admin-checklist">
        {roles.map((role) => (
          <li key={role.id}>
            <label>
              <input
                type="checkbox"
                checked={value.includes(role.id)}
                onChange={(e) =>
                  onChange(e.target.checked ? [...value, role.id] : value.filter((id) => id !== role.id))
                }
              />{" "}
              {role.name}
            </label>
          </li>
        ))}
      </ul>
      {children}
    </fieldset>
  );
}
