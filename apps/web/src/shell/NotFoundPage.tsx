import { Link } from "react-router";

/**
 * Unknown routes, pages the user may not open and records out of their reach (the API's 404) look
 * the same: nothing to see here. Rendered inside the layout's main landmark.
 */
export function NotFoundPage() {
  return (
    <section className="not-found">
      <h1>Not found</h1>
      <p>This page does not exist, or you do not have access to it.</p>
      <Link to="/">Go to the start page</Link>
    </section>
  );
}
