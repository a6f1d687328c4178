/**
 * Epoch milliseconds of an event time or evidence timestamp (RFC 3339, as CloudEvents carry it),
 * NaN when it is not a time. The one place that says how the core reads times.
 */
export function parseEventTime(s: string): number {
  return Date.parse(s);
}
