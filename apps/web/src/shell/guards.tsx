import { Navigate, Outlet, useLocation } from "react-router";
import { Spinner } from "../components/ui/index.js";
import { useAuth } from "./auth.js";
import { NotFoundPage } from "./NotFoundPage.js";

/** Signed-out visitors go to /login, which brings them back to the page they asked for. */
export function RequireAuth() {
  const { user } = useAuth();
  const location = useLocation();
  if (user === undefined) return <FullPageSpinner />;
  if (user === null) {
    const next = `${location.pathname}${location.search}${location.hash}`;
    return <Navigate to={next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`} replace />;
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
