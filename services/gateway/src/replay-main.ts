import 'reflect-metadata';
import { JsonLogger, loadConfig } from '@app/service-kit';
import { createGatewayApp } from './gateway.app';
import { GatewaySettings } from './gateway.settings';

/**
 * The gateway for replaying recorded history (the main job's sample): its receive time is the time
 * its parent process sets over the IPC channel, acknowledged before the parent sends the request
 * it applies to. Why a separate entry: a production gateway's receive time is its own clock and no
 * setting can change that; this one runs only as a child with an IPC channel, on loopback.
 */
async function main(): Promise<void> {
  const send = process.send?.bind(process);
  if (send === undefined) {
    process.stderr.write('gateway replay: runs only as a child process with an IPC channel\n');
    process.exit(2);
  }
  let now = 0;
  process.on('message', (message: unknown) => {
    const at = (message as { now?: unknown } | null)?.now;
    if (typeof at === 'number' && Number.isFinite(at)) {
      now = at;
      send({ ack: at });
    }
  });
  process.on('disconnect', () => process.exit(0));
  const settings = loadConfig(GatewaySettings, process.env);
  const app = await createGatewayApp(settings, {
    logger: new JsonLogger('gateway-replay', settings.LOG_LEVEL),
    nowMs: () => now,
  });
  await app.listen(0, '127.0.0.1');
  send({ url: (await app.getUrl()).replace('[::1]', '127.0.0.1') });
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway replay: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
