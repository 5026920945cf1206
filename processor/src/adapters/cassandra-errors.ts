import { errors, types } from "cassandra-driver";

const codes = types.responseErrorCodes;

/**
 * Answers of Cassandra that a retry gets again: the statement or its values are wrong (invalid request,
 * syntax), or the configuration is (unauthorized, configuration error). Unavailable, overloaded, timeouts,
 * bootstrapping, server errors and lost connections pass with time and are not listed.
 */
const PERMANENT_CODES: ReadonlyMap<number, string> = new Map([
  [codes.syntaxError, "syntax error"],
  [codes.unauthorized, "unauthorized"],
  [codes.invalid, "invalid request"],
  [codes.configError, "configuration error"],
]);

/**
 * The driver's encoder throws plain TypeErrors when a value does not fit its column's type (the table
 * was changed under the processor, say); only those, not every TypeError, are known to recur.
 */
const ENCODING_REFUSAL =
  /^(Not a valid |Expected |Invalid date|No encoding handler|Local(Date|Time) could not)/;

/**
 * Why `err` will recur on every retry, or null when retrying may succeed. Besides the server's permanent
 * answers, the driver's own refusals of the values (before anything is sent) are permanent.
 */
export function permanentCassandraError(err: unknown): string | null {
  if (err instanceof errors.ResponseError) {
    const kind = PERMANENT_CODES.get(err.code);
    return kind === undefined ? null : `Cassandra refused the write (${kind}): ${err.message}`;
  }
  if (
    err instanceof errors.ArgumentError ||
    err instanceof errors.NotSupportedError ||
    (err instanceof TypeError && ENCODING_REFUSAL.test(err.message))
  ) {
    return `the Cassandra driver refused the values: ${err.message}`;
  }
  return null;
}
