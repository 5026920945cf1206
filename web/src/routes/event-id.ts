/** Event ids are login.uuid values; anything else cannot be stored, so it is rejected before a query. */
export function isEventId(id: string): boolean {
  return /^[0-9A-Za-z][0-9A-Za-z_-]{0,63}$/.test(id);
}
