import pTimeout from "p-timeout";

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `p`, or an Error with `message` once `ms` passed without it settling (the timer is cleared either way). */
export function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return pTimeout(p, { milliseconds: ms, message: new Error(message) });
}

/** withTimeout() saying that `what` did not answer within `ms`. */
export function answerWithin<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return withTimeout(p, ms, `${what}: no answer within ${ms} ms`);
}
