import 'reflect-metadata';
import { type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type ClassConstructor } from 'class-transformer';
import { ConfigurationError, loadConfig } from './config/load-config';
import { type HttpSettings } from './config/common-settings';
import { JsonLogger } from './logging/json-logger';

export interface ServiceDefinition<S extends HttpSettings> {
  name: string;
  settings: ClassConstructor<S>;
  /** Builds the root module from validated settings (settings are injected, never read from env). */
  module: (settings: S) => Type<unknown> | DynamicModule;
  /** What the service sets up on the application before it listens (body limits, OpenAPI). */
  configure?: (app: INestApplication, settings: S) => void;
}

/**
 * Starts one service: validates its configuration first (a bad setting stops it with a message
 * naming the variable), then boots Nest with JSON logs and graceful shutdown on SIGTERM/SIGINT.
 */
export async function bootstrapService<S extends HttpSettings>(
  definition: ServiceDefinition<S>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<INestApplication> {
  let settings: S;
  try {
    settings = loadConfig(definition.settings, env);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      process.stderr.write(`${definition.name}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = new JsonLogger(definition.name, settings.LOG_LEVEL);
  try {
    const app = await NestFactory.create(definition.module(settings), { logger, bufferLogs: false });
    app.enableShutdownHooks();
    definition.configure?.(app, settings);
    await app.listen(settings.HTTP_PORT, settings.HTTP_HOST);
    logger.log(
      `${definition.name} listening on http://${settings.HTTP_HOST}:${settings.HTTP_PORT}`,
      'bootstrap',
    );
    return app;
  } catch (error) {
    // A start-up failure (bad policy file, port taken, broker unreachable) is reported in plain
    // words on stderr as well as in the JSON log, and stops the process with a non-zero code.
    const message = error instanceof Error ? error.message : String(error);
    logger.error(`start-up failed: ${message}`, undefined, 'bootstrap');
    process.stderr.write(`${definition.name}: start-up failed: ${message}\n`);
    process.exit(1);
  }
}
