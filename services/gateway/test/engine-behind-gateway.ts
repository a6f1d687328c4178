import { type KafkaUnderTest } from '@app/testing';
import { type GovernedStream } from '@app/stream';
import { startTestEngine, uniquePrefix } from '../../../test/engine/support/engine-stream.kit';
import { newSecrets, startGateway, type GatewayUnderTest, type TestSecrets } from './gateway-under-test';

/** The real engine (one partition, the example policy) and a gateway writing to its topics. */
export interface EngineBehindGateway {
  readonly engine: GovernedStream;
  readonly gateway: GatewayUnderTest;
  readonly secrets: TestSecrets;
  close(): Promise<void>;
}

/** Starts both on the broker under a fresh topic prefix; `name` tells the runs apart in the broker. */
export async function startEngineBehindGateway(
  broker: KafkaUnderTest,
  name: string,
): Promise<EngineBehindGateway> {
  const prefix = uniquePrefix(`gateway-${name}`);
  const engine = await startTestEngine(broker.brokers, prefix);
  const secrets = newSecrets();
  let gateway: GatewayUnderTest;
  try {
    gateway = await startGateway(broker, secrets, { GATEWAY_TOPIC_PREFIX: prefix });
  } catch (error) {
    await engine.stop();
    throw error;
  }
  return {
    engine,
    gateway,
    secrets,
    close: async () => {
      await gateway.close();
      await engine.stop();
    },
  };
}
