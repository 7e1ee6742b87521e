/**
 * Errors of the jwst-lab API and the one way the front end turns any error
 * into what it shows.
 */

/**
 * An error answered by the jwst-lab server, or the failure to reach it.
 *
 * `status` is the HTTP status (0 when the server could not be reached),
 * `reason` the server's machine-readable code (e.g. `not_found`) and `field`
 * the request field at fault as a dotted path (`steps.resample.pixfrac`,
 * `target`, `output_dir`, ...); each is null when the answer did not carry it.
 */
export class JwstLabApiError extends Error {
  /** Create an error from what the server answered. */
  constructor(
    message: string,
    options: {
      status: number;
      reason: string | null;
      field?: string | null;
      detail?: string | null;
    }
  ) {
    super(message);
    this.name = 'JwstLabApiError';
    this.status = options.status;
    this.reason = options.reason;
    this.field = options.field ?? null;
    this.detail = options.detail ?? null;
  }

  /** HTTP status; 0 when no answer arrived. */
  readonly status: number;

  /** Machine-readable reason code, or null. */
  readonly reason: string | null;

  /** The request field at fault (a dotted path), or null when none is named. */
  readonly field: string | null;

  /** What happened in full (for a disclosure under the message), or null. */
  readonly detail: string | null;
}

/** A failure as the views show it: what went wrong and what the server said about it. */
export interface IProblem {
  /** The message for people. */
  message: string;
  /** The HTTP status; 0 when no server answered (or the error did not come from one). */
  status: number;
  /** The server's reason code, or null. */
  reason: string | null;
  /** The request field the server names (dotted path), or null. */
  field: string | null;
  /** What happened in full, for a disclosure under the message (absent or null when none). */
  detail?: string | null;
}

/** Any thrown value as a problem to show (the one error formatter of the front end). */
export function problemOf(error: unknown): IProblem {
  if (error instanceof JwstLabApiError) {
    return {
      message: error.message,
      status: error.status,
      reason: error.reason,
      field: error.field,
      detail: error.detail
    };
  }
  return {
    message: error instanceof Error ? error.message : String(error),
    status: 0,
    reason: null,
    field: null,
    detail: null
  };
}

/** The message of any thrown value. */
export function errorMessage(error: unknown): string {
  return problemOf(error).message;
}
