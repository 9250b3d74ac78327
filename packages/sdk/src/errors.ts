/**
 * An error whose message is meant for the person who ran the workflow: the run ends `Failed` with
 * this message and errorType `UserError`, and no stack trace is shown.
 */
export class UserError extends Error {
  override readonly name = "UserError";
}

/** An API call of the SDK failed; `status` and `kind` are the API's (API.md "Conventions"). */
export class BifrostApiError extends Error {
  override readonly name = "BifrostApiError";
  constructor(
    readonly status: number,
    readonly kind: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** A record was not found, or is outside the run's organization (the API answers both as 404). */
export class NotFoundError extends BifrostApiError {}
