import { DailyStats } from './daily-stats';

describe('DailyStats', () => {
  it('counts per UTC day, metric, destination and reason, in one fixed order', () => {
    const stats = new DailyStats();
    stats.add(new Date('2025-01-02T23:59:59.999Z'), ['withheld', 'crm', 'no-consent']);
    stats.add(new Date('2025-01-02T00:00:00.000Z'), ['withheld', 'crm', 'no-consent']);
    stats.add(new Date('2025-01-03T00:00:00.000Z'), ['forwarded', 'crm', '']);
    stats.add(new Date('2025-01-02T12:00:00.000Z'), ['forwarded', 'esp', '']);
    stats.add(new Date('2025-01-02T12:00:00.000Z'), ['forwarded', 'crm', '']);
    stats.add(new Date('1969-12-31T23:00:00.000Z'), ['dead-letter', '', 'not-json']);
    expect(stats.count).toBe(6);
    expect(stats.rows()).toEqual([
      { day: '1969-12-31', metric: 'dead-letter', destination: '', reason: 'not-json', count: 1 },
      { day: '2025-01-02', metric: 'forwarded', destination: 'crm', reason: '', count: 1 },
      { day: '2025-01-02', metric: 'forwarded', destination: 'esp', reason: '', count: 1 },
      { day: '2025-01-02', metric: 'withheld', destination: 'crm', reason: 'no-consent', count: 2 },
      { day: '2025-01-03', metric: 'forwarded', destination: 'crm', reason: '', count: 1 },
    ]);
  });

  it('is empty until something is added', () => {
    expect(new DailyStats().rows()).toEqual([]);
    expect(new DailyStats().count).toBe(0);
  });
});
