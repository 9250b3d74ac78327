import type { UseInfiniteQueryResult, UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Button } from "./Button.js";
import { formErrors } from "../../api/field-errors.js";
import { EmptyState, ErrorState } from "./States.js";
import { Spinner } from "./Spinner.js";

/**
 * The loading, error and empty states every list shows, around the content once there is some:
 * pages pass the query and what to render, and all lists look and behave the same.
 */
export function QueryView<T>({
  query,
  what,
  isEmpty,
  empty,
  emptyHint,
  children,
}: {
  /** A plain or a cursor-paged (`useInfiniteQuery`) query. */
  query: UseQueryResult<T> | UseInfiniteQueryResult<T>;
  /** "the schedules": used in "Could not load the schedules". */
  what: string;
  isEmpty?: (data: T) => boolean;
  /** The empty state's title; defaults to "No schedules yet." from `what`. */
  empty?: string;
  /** Shown under the empty state's title: what to do to get a first item. */
  emptyHint?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Spinner />;
  if (query.isError)
    return (
      <ErrorState title={`Could not load ${what}`} error={query.error} onRetry={() => void query.refetch()} />
    );
  if (isEmpty?.(query.data))
    return <EmptyState title={empty ?? `No ${what.replace(/^the /, "")} yet.`}>{emptyHint}</EmptyState>;
  return <>{children(query.data)}</>;
}

/**
 * A mutation's failure in the API's own words, announced to screen readers: what the server said
 * about the fields the form shows under them (`shown`, e.g. `["name", "domain"]`) is left to those
 * fields, everything else is here.
 */
export function ActionError({
  error,
  shown = [],
}: {
  error: unknown;
  shown?: readonly string[] | undefined;
}) {
  const { form } = formErrors(error, shown);
  if (!form) return null;
  return (
    <p className="ui-field__error" role="alert">
      {form}
    </p>
  );
}

/** "Load more" under a cursor-paged list (`nextCursor` from the API). */
export function LoadMore({ query }: { query: UseInfiniteQueryResult<unknown> }) {
  if (!query.hasNextPage) return null;
  return (
    <div className="ui-load-more">
      <Button onClick={() => void query.fetchNextPage()} busy={query.isFetchingNextPage}>
        Load more
      </Button>
    </div>
  );
}
