import * as Dropdown from "@radix-ui/react-dropdown-menu";
import type { ReactNode } from "react";

export type MenuItem = { label: string; onSelect: () => void; danger?: boolean };

/** A dropdown menu opened by a button (arrow keys, typeahead, Escape). */
export function Menu({ trigger, label, items }: { trigger: ReactNode; label: string; items: MenuItem[] }) {
  return (
    <Dropdown.Root>
      {/* The label is appended, not substituted: the visible text stays part of the name. */}
      <Dropdown.Trigger className="ui-button ui-button--ghost">
        {trigger}
        <span className="visually-hidden"> ({label})</span>
      </Dropdown.Trigger>
      <Dropdown.Portal>
        <Dropdown.Content className="ui-menu" align="end" sideOffset={4}>
          {items.map((item) => (
            <Dropdown.Item
              key={item.label}
              className={item.danger ? "ui-menu__item ui-menu__item--danger" : "ui-menu__item"}
              onSelect={item.onSelect}
            >
              {item.label}
            </Dropdown.Item>
          ))}
        </Dropdown.Content>
      </Dropdown.Portal>
    </Dropdown.Root>
  );
}
