import { Navigate, Outlet, useLocation } from "react-router";
import { Spinner } from "../components/ui/index.js";
import { useAuth } from "./auth.js";
import { NotFoundPage } from "./NotFoundPage.js";

/**
 * Signed-out visitors go to /login. One who arrived signed out (a deep link, a bookmark) is brought
 * back to the page asked for; when a session ends on a page, the page stays behind: the next person
 * to sign in here, maybe someone else, starts at their own home, never on the previous user's page.
 */
export function RequireAuth() {
  const { user, sessionEnded } = useAuth();
  const location = useLocation();
  if (user === undefined) return <FullPageSpinner />;
  if (user === null) {
    const next = `${location.pathname}${location.search}${location.hash}`;
    if (sessionEnded || next === "/") return <Navigate to="/login" replace />;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Outlet />;
}

/** Platform-admin pages: to an organization user they do not exist (as the API answers 404). */
export function RequirePlatformAdmin() {
  const { isPlatformAdmin } = useAuth();
  return isPlatformAdmin ? <Outlet /> : <NotFoundPage />;
}

function FullPageSpinner() {
  return (
    <div className="full-page-center">
      <Spinner />
    </div>
  );
}
