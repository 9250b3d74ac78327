import { isNotFound } from "../api/client.js";
import { ErrorState } from "../components/ui/index.js";
import { NotFoundPage } from "./NotFoundPage.js";

/**
 * A detail page whose record did not load: the API's 404 (absent, or another organization's) is
 * the same "Not found" as an unknown route; any other failure says why and offers a retry.
 */
export function PageLoadError({
  heading,
  what,
  error,
  onRetry,
  className,
}: {
  heading: string;
  /** "the workflow": used in "Could not load the workflow". */
  what: string;
  error: unknown;
  onRetry: () => void;
  className?: string;
}) {
  if (isNotFound(error)) return <NotFoundPage />;
  return (
    <section className={className}>
      <h1>{heading}</h1>
      <ErrorState title={`Could not load ${what}`} error={error} onRetry={onRetry} />
    </section>
  );
}
