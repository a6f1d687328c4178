import { logLevel, type LogEntry, type logCreator } from 'kafkajs';

/**
 * Where kafkajs logs go. Shaped like pino's `(fields, message)` methods so a service passes its pino
 * logger (or a child of it) as is.
 */
export interface KafkaLogSink {
  error(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
}

/** The service-wide level names (LOG_LEVEL); kafkajs knows fewer, so several map to one. */
export type ServiceLogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** Maps a service log level to the kafkajs level that emits the same or less. */
export function toKafkaLogLevel(level: ServiceLogLevel): logLevel {
  switch (level) {
    case 'fatal':
    case 'error':
      return logLevel.ERROR;
    case 'warn':
      return logLevel.WARN;
    case 'info':
      return logLevel.INFO;
    case 'debug':
    case 'trace':
      return logLevel.DEBUG;
  }
}

// kafkajs adds these itself or they duplicate what the sink adds.
const DROPPED_FIELDS = new Set(['timestamp', 'logger', 'message']);

/**
 * Keeps only scalar fields of a kafkajs log entry. kafkajs logs coordinates (broker, topic,
 * partition, group, error text), never record payloads, but nested objects are dropped anyway so
 * nothing a future kafkajs version nests there can carry personal data into the logs.
 */
function scalarFields(entry: LogEntry): Record<string, unknown> {
  const fields: Record<string, unknown> = { kafkaNamespace: entry.namespace };
  for (const [name, value] of Object.entries(entry.log)) {
    if (DROPPED_FIELDS.has(name)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      fields[name] = value;
    }
  }
  return fields;
}

/** A kafkajs `logCreator` that forwards every entry to the sink as one structured log line. */
export function kafkaLogCreator(sink: KafkaLogSink): logCreator {
  return () => (entry: LogEntry) => {
    const fields = scalarFields(entry);
    const message = `kafkajs: ${entry.log.message}`;
    switch (entry.level) {
      case logLevel.ERROR:
        sink.error(fields, message);
        break;
      case logLevel.WARN:
        sink.warn(fields, message);
        break;
      case logLevel.INFO:
        sink.info(fields, message);
        break;
      default:
        sink.debug(fields, message);
    }
  };
}
