/** Longer ids than this are no stored user's (login.uuid is 36 characters): refused before any query. */
export const MAX_EVENT_ID_BYTES = 256;

const encoder = new TextEncoder();

/**
 * Whether an id is worth looking up. The contract answers an unknown id with 404, so anything a source
 * could have sent as login.uuid is looked up; only absurd input (too long, control characters) is not.
 */
export function isEventId(id: string): boolean {
  return (
    id.length > 0 &&
    id.length <= MAX_EVENT_ID_BYTES &&
    encoder.encode(id).length <= MAX_EVENT_ID_BYTES &&
    !/\p{Cc}/u.test(id)
  );
}
