import { Link } from "react-router";

/** Unknown routes and pages the user may not open look the same: nothing to see here. */
export function NotFoundPage() {
  return (
    <main className="not-found" id="main">
      <h1>Not found</h1>
      <p>This page does not exist, or you do not have access to it.</p>
      <Link to="/">Go to the start page</Link>
    </main>
  );
}
