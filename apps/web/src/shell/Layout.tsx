import { Suspense } from "react";
import { NavLink, Outlet, useNavigate } from "react-router";
import { Button, Menu, Spinner } from "../components/ui/index.js";
import { useAuth } from "./auth.js";
import { visibleNav } from "./nav.js";
import { OrgScopeSwitcher } from "./OrgScopeSwitcher.js";
import { useTheme } from "./theme.js";

/** The signed-in frame: header (user, scope, theme, logout), navigation, the page. */
export function Layout() {
  const { user, isPlatformAdmin, signOut } = useAuth();
  const { theme, toggle } = useTheme();
  const navigate = useNavigate();
  const groups = visibleNav(isPlatformAdmin);
  const logout = () => {
    void signOut().finally(() => navigate("/login", { replace: true }));
  };
  return (
    <div className="layout">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="layout__header">
        <span className="layout__brand">Bifrost</span>
        <div className="layout__header-tools">
          {isPlatformAdmin && <OrgScopeSwitcher />}
          <Button
            variant="ghost"
            onClick={toggle}
            aria-label={theme === "dark" ? "Switch to light theme" : "Switch to dark theme"}
            data-testid="theme-toggle"
          >
            {theme === "dark" ? "☀" : "☾"}
          </Button>
          <Menu
            label="account menu"
            trigger={<span className="layout__user">{user?.name ?? user?.email}</span>}
            items={[
              { label: "Account", onSelect: () => void navigate("/account") },
              { label: "Sign out", onSelect: logout },
            ]}
          />
        </div>
      </header>
      <nav className="layout__nav" aria-label="Main">
        {groups.map((group) => (
          <div key={group.label} className="layout__nav-group">
            <h2 className="layout__nav-heading">{group.label}</h2>
            <ul>
              {group.entries.map((entry) => (
                <li key={entry.to}>
                  <NavLink to={entry.to}>{entry.label}</NavLink>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      <main className="layout__main" id="main">
        <Suspense fallback={<Spinner />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
