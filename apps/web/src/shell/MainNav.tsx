import { useEffect, useRef, useState, type KeyboardEvent, type RefObject } from "react";
import { NavLink, useLocation } from "react-router";
import type { NavGroup } from "./nav.js";

const NAV_ID = "main-nav";

type NavDisclosure = {
  open: boolean;
  toggle: () => void;
  /** Escape closes the menu and puts focus back on its button. */
  onKeyDown: (event: KeyboardEvent) => void;
  /** A link followed from the open menu: focus goes to the button, not to a link about to hide. */
  onFollow: () => void;
  button: RefObject<HTMLButtonElement | null>;
  nav: RefObject<HTMLElement | null>;
};

/**
 * On a phone (style.css: up to 720 px) the navigation is a disclosure behind the header's menu
 * button; wider screens always show it as the sidebar and hide the button, so `open` stays false
 * there. The menu is open for the location it was opened at: any navigation closes it.
 */
export function useNavDisclosure(): NavDisclosure {
  const location = useLocation();
  const [openAt, setOpenAt] = useState<string | null>(null);
  const open = openAt === location.key;
  const button = useRef<HTMLButtonElement>(null);
  const nav = useRef<HTMLElement>(null);

  // Opened: focus the current page's link (else the first), which the DOM puts after the header.
  useEffect(() => {
    if (!open) return;
    const links = nav.current?.querySelectorAll<HTMLAnchorElement>("a");
    const current = nav.current?.querySelector<HTMLAnchorElement>("a[aria-current='page']");
    (current ?? links?.[0])?.focus();
  }, [open]);

  return {
    open,
    toggle: () => setOpenAt(open ? null : location.key),
    onKeyDown: (event) => {
      if (event.key !== "Escape" || !open) return;
      event.preventDefault();
      setOpenAt(null);
      button.current?.focus();
    },
    onFollow: () => {
      if (open) button.current?.focus();
    },
    button,
    nav,
  };
}

/** The header's menu button (phones only). */
export function NavMenuButton({ disclosure }: { disclosure: NavDisclosure }) {
  return (
    <button
      ref={disclosure.button}
      type="button"
      className="ui-button ui-button--ghost layout__menu-button"
      aria-expanded={disclosure.open}
      aria-controls={NAV_ID}
      onClick={disclosure.toggle}
      onKeyDown={disclosure.onKeyDown}
    >
      <svg aria-hidden="true" width="20" height="20" viewBox="0 0 20 20">
        <path d="M3 5h14M3 10h14M3 15h14" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
      </svg>
      <span className="visually-hidden">Menu</span>
    </button>
  );
}

/** The sections of the app: the sidebar on wide screens, the menu's panel on a phone. */
export function MainNav({ groups, disclosure }: { groups: NavGroup[]; disclosure: NavDisclosure }) {
  return (
    <nav
      ref={disclosure.nav}
      id={NAV_ID}
      className={disclosure.open ? "layout__nav layout__nav--open" : "layout__nav"}
      aria-label="Main"
      onKeyDown={disclosure.onKeyDown}
    >
      {groups.map((group) => (
        <div key={group.label} className="layout__nav-group">
          <h2 className="layout__nav-heading">{group.label}</h2>
          <ul>
            {group.entries.map((entry) => (
              <li key={entry.to}>
                <NavLink to={entry.to} onClick={disclosure.onFollow}>
                  {entry.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </nav>
  );
}
