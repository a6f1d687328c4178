import { logLevel } from 'kafkajs';
import { kafkaLogCreator, type KafkaLogSink } from './kafka-log.bridge';

describe('kafkaLogCreator', () => {
  it('forwards a kafkajs entry at its level with scalar fields only', () => {
    const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
    const sink: KafkaLogSink = {
      error: (fields, message) => lines.push({ level: 'error', fields, message }),
      warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
      info: (fields, message) => lines.push({ level: 'info', fields, message }),
      debug: (fields, message) => lines.push({ level: 'debug', fields, message }),
    };
    const log = kafkaLogCreator(sink)(logLevel.INFO);
    log({
      namespace: 'Consumer',
      level: logLevel.WARN,
      label: 'WARN',
      log: {
        timestamp: 'now',
        logger: 'kafkajs',
        message: 'The group is rebalancing',
        groupId: 'engine',
        partition: 2,
        payload: { email: 'someone@example.com' },
      },
    });
    expect(lines).toEqual([
      {
        level: 'warn',
        fields: { kafkaNamespace: 'Consumer', groupId: 'engine', partition: 2 },
        message: 'kafkajs: The group is rebalancing',
      },
    ]);
  });
});
