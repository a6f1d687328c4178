import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

/** Raised at start-up when a setting is missing or malformed; the message names every variable. */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

function describe(error: ValidationError): string[] {
  const constraints = Object.values(error.constraints ?? {});
  const shown = error.value === undefined ? 'it is not set' : `got ${JSON.stringify(error.value)}`;
  return constraints.map((c) => `${error.property}: ${c} (${shown})`);
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
