import { Suspense } from "react";
import { Outlet, useNavigate } from "react-router";
import { Button, Menu, Spinner } from "../components/ui/index.js";
import { useAuth } from "./auth.js";
import { MainNav, NavMenuButton, useNavDisclosure } from "./MainNav.js";
import { visibleNav } from "./nav.js";
import { OrgScopeSwitcher } from "./OrgScopeSwitcher.js";
import { useTheme } from "./theme.js";

/**
 * The signed-in frame: header (menu button on a phone, user, scope, theme), navigation, the page.
 * Signing out needs no navigation here: `RequireAuth` sends the signed-out page to the login.
 */
export function Layout() {
  const { user, isPlatformAdmin, signOut } = useAuth();
  const { theme, toggle } = useTheme();
  const navigate = useNavigate();
  const disclosure = useNavDisclosure();
  const groups = visibleNav(isPlatformAdmin);
  return (
    <div className="layout">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="layout__header">
        <div className="layout__header-start">
          <NavMenuButton disclosure={disclosure} />
          <span className="layout__brand">Bifrost</span>
        </div>
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
              { label: "Sign out", onSelect: () => void signOut() },
            ]}
          />
        </div>
      </header>
      <MainNav groups={groups} disclosure={disclosure} />
      <main className="layout__main" id="main">
        <Suspense fallback={<Spinner />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
