import type { ReactNode } from "react";
import { ApiError } from "../../api/client.js";
import { Button } from "./Button.js";

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="ui-state ui-state--empty">
      <p className="ui-state__title">{title}</p>
      {children}
    </div>
  );
}

/**
 * The API's own message when there is one: users see why an action failed. It is the answer's
 * summary: a form shows a 422's details (which field, which rule) with `formErrors` or
 * `ActionError` instead, so "The request is invalid" never stands in for them.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

export function ErrorState({
  error,
  title = "Something went wrong",
  onRetry,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}) {
  return (
    <div className="ui-state ui-state--error" role="alert">
      <p className="ui-state__title">{title}</p>
      <p>{errorMessage(error)}</p>
      {onRetry && <Button onClick={onRetry}>Try again</Button>}
    </div>
  );
}
