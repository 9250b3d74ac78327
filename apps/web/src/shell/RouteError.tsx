import { isRouteErrorResponse, useRouteError } from "react-router";
import { ErrorState } from "../components/ui/index.js";
import { NotFoundPage } from "./NotFoundPage.js";

/** A page that failed to load or render: the reason, and a way to try again. */
export function RouteError() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404)
    return (
      <main id="main">
        <NotFoundPage />
      </main>
    );
  return (
    <main className="full-page-center" id="main">
      <ErrorState
        error={error}
        title="This page could not be shown"
        onRetry={() => window.location.reload()}
      />
    </main>
  );
}
