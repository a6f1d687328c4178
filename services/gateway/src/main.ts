import 'reflect-metadata';
import { ConfigurationError, JsonLogger, loadConfig } from '@app/service-kit';
import { createGatewayApp } from './gateway.app';
import { GatewaySettings } from './gateway.settings';

/** Starts the gateway: settings first (a bad one stops it, named), then Nest on Fastify. */
async function main(): Promise<void> {
  let settings: GatewaySettings;
  try {
    settings = loadConfig(GatewaySettings, process.env);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      process.stderr.write(`gateway: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = new JsonLogger('gateway', settings.LOG_LEVEL);
  try {
    const app = await createGatewayApp(settings, { logger });
    await app.listen(settings.HTTP_PORT, settings.HTTP_HOST);
    logger.log(`gateway listening on http://${settings.HTTP_HOST}:${settings.HTTP_PORT}`, 'bootstrap');
  } catch (error) {
    // Messages of start-up errors name settings and policy paths, never request data.
    const message = error instanceof Error ? error.message : String(error);
    logger.error(`start-up failed: ${message}`, undefined, 'bootstrap');
    process.stderr.write(`gateway: start-up failed: ${message}\n`);
    process.exit(1);
  }
}

void main();
