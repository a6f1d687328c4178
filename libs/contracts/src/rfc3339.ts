/**
 * Strict RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±hh:mm)`, calendar-valid.
 * Why strict: `Date.parse` rolls 30 February over into March and reads `24:00` as the next day,
 * so a malformed time would silently become another, valid-looking one. Leap seconds (`:60`) are
 * refused: no producer of ours emits them and epoch milliseconds cannot represent them.
 */
const SHAPE = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Days in a month (1-12) of a proleptic Gregorian year. */
function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** True if `s` is an RFC 3339 date-time with an explicit offset and a real calendar date and time. */
export function isRfc3339(s: unknown): s is string {
  if (typeof s !== 'string' || s.length > 40) return false;
  const m = SHAPE.exec(s);
  if (m === null) return false;
  const n = (i: number): number => Number(m[i]);
  const [year, month, day, hour, minute, second] = [n(1), n(2), n(3), n(4), n(5), n(6)];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  if (m[9] !== undefined && (n(10) > 23 || n(11) > 59)) return false;
  return true;
}
