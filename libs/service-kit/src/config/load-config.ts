import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

/** Raised at start-up when a setting is missing or malformed; the message names every variable. */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

const HIDDEN = '<value not shown>';

/**
 * The rule's message with every whole-word occurrence of `value` masked. Whole words only, so a
 * short value ("t") does not mangle the words around it ("must").
 */
function masked(message: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) return message;
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return message.replace(new RegExp(`(?<!\\w)${escaped}(?!\\w)`, 'g'), HIDDEN);
}

/**
 * One line per broken rule, naming the variable but never its value: settings hold secrets
 * (a password in DATABASE_URL, KAFKA_SASL_PASSWORD) and start-up errors end up in logs. A rule's
 * message that quotes the value anyway (class-validator's `$value`) has it masked.
 */
function describe(error: ValidationError): string[] {
  const constraints = Object.values(error.constraints ?? {});
  const state = error.value === undefined ? 'is not set' : 'is set (value not shown)';
  return constraints.map((c) => `${error.property} ${state}: ${masked(c, error.value)}`);
}

/**
 * Validates environment variables against a class-validator schema. Property names are the variable
 * names, so an error says exactly which variable to fix. Defaults are the class's initialisers.
 */
export function loadConfig<T extends object>(schema: ClassConstructor<T>, env: NodeJS.ProcessEnv): T {
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const config = plainToInstance(schema, raw, { exposeDefaultValues: true, excludeExtraneousValues: true });
  const errors = validateSync(config, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) throw new ConfigurationError(errors.flatMap(describe));
  return config;
}
