import fc from 'fast-check';
import { parseEventTime } from './event-time';

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

describe('parseEventTime', () => {
  it('equals Date.parse for canonical timestamps of years 1000-9999', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1000-01-01T00:00:00.000Z'),
          max: new Date('9999-12-31T23:59:59.999Z'),
          noInvalidDate: true,
        }),
        (d) => {
          const s = d.toISOString();
          expect(parseEventTime(s)).toBe(Date.parse(s));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('equals Date.parse for every day 1-31 of every month, leap years included (day 29-31 roll over)', () => {
    for (const year of [1000, 1900, 1970, 2000, 2023, 2024, 2100, 2400, 9999])
      for (let month = 1; month <= 12; month++)
        for (let day = 1; day <= 31; day++) {
          const s = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T23:59:59.999Z`;
          expect([s, parseEventTime(s)]).toEqual([s, Date.parse(s)]);
        }
  });

  it('leaves other forms and invalid values to Date.parse', () => {
    for (const s of [
      '2025-03-01T10:00:00Z',
      '2025-03-01T10:00:00+01:00',
      '2025-13-01T00:00:00.000Z',
      '2025-02-32T00:00:00.000Z',
      'x',
      '',
    ])
      expect(Object.is(parseEventTime(s), Date.parse(s))).toBe(true);
  });
});
