import { accessSync, constants, statSync } from 'node:fs';
import { ValidateBy, type ValidationArguments } from 'class-validator';

/**
 * A rule between settings: `check(value, settings)` must hold, else `message` (which names the
 * variables involved and never quotes a value). For rules one decorator cannot express alone, such
 * as "needs KAFKA_SSL=true".
 */
export function Holds<S extends object>(
  name: string,
  check: (value: unknown, settings: S) => boolean,
  message: string,
): PropertyDecorator {
  return ValidateBy({
    name,
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => check(value, args?.object as S),
      defaultMessage: () => message,
    },
  });
}

function isReadableFile(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    accessSync(value, constants.R_OK);
    return statSync(value).isFile();
  } catch {
    return false;
  }
}

/** The setting names a file this process can read (checked at start, not at first use). */
export function IsReadableFile(): PropertyDecorator {
  return Holds(
    'isReadableFile',
    isReadableFile,
    'must name a readable file (it does not exist, is not a file, or this process may not read it)',
  );
}

/** True when every `host:port` of a KAFKA_BROKERS value is on this machine (localhost, 127.0.0.0/8). */
export function allLoopback(brokers: string): boolean {
  return brokers
    .split(',')
    .map((b) => b.trim().replace(/:\d+$/, '').toLowerCase())
    .every((host) => host === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host));
}
