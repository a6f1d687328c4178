import { ConfigurationError, loadConfig } from '@app/service-kit';
import { AuditSettings } from './audit.settings';

/** The configuration error's lines for `env`, or [] when it loads. */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(AuditSettings, env);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).problems;
  }
}

describe('AuditSettings', () => {
  it('has defaults that run the sink on the engine’s unprefixed topics for 52 weeks', () => {
    const s = loadConfig(AuditSettings, {});
    expect(s).toMatchObject({
      HTTP_PORT: 3004,
      AUDIT_SINK: 'true',
      AUDIT_GROUP_ID: 'audit-sink',
      AUDIT_TOPIC_PREFIX: '',
      AUDIT_RETENTION_DAYS: 364,
      AUDIT_PARTITIONS_AHEAD: 2,
      AUDIT_MIGRATE: 'false',
    });
    expect(s.AUDIT_DATABASE_SCHEMA).toBeUndefined();
  });

  it.each([
    ['AUDIT_RETENTION_DAYS', '0'],
    ['AUDIT_RETENTION_DAYS', 'a year'],
    ['AUDIT_PARTITIONS_AHEAD', '100'],
    ['AUDIT_DATABASE_SCHEMA', 'audit"; drop schema public; --'],
    ['AUDIT_DATABASE_SCHEMA', 'Audit'],
    ['AUDIT_TOPIC_PREFIX', 'a prefix with spaces'],
    ['AUDIT_GROUP_ID', 'a group with spaces'],
    ['AUDIT_SINK', 'yes'],
    ['AUDIT_MIGRATE', '1'],
  ])('refuses %s=%j, naming the variable', (name, value) => {
    const lines = problems({ [name]: value });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).toContain(name);
  });
});
