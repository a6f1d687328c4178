import { readFileSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { createKafkaClient } from './kafka-client.factory';
import { type KafkaTlsSettings } from './kafka-security.options';

const FIXTURES = join(__dirname, '..', 'test', 'tls');
const fixture = (name: string): string => join(FIXTURES, name);

/** What a TLS listener saw of a client: whether the handshake completed and who the client was. */
interface Handshake {
  readonly clientCertificate: string | null;
}

// A loopback TLS listener with the fixture server certificate. It is not a broker: it records the
// handshake and hangs up, which is all these tests need to see what TLS the client speaks.
async function tlsListener(): Promise<{ server: Server; port: number; handshakes: Handshake[] }> {
  const handshakes: Handshake[] = [];
  const server = createServer(
    {
      cert: readFileSync(fixture('server.pem')),
      key: readFileSync(fixture('server.key.pem')),
      ca: readFileSync(fixture('ca.pem')),
      requestCert: true,
      rejectUnauthorized: false,
    },
    (socket: TLSSocket) => {
      const peer = socket.getPeerCertificate();
      handshakes.push({
        clientCertificate: socket.authorized && peer.subject ? String(peer.subject.CN) : null,
      });
      socket.destroy();
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, handshakes };
}

async function connectWith(port: number, ssl: KafkaTlsSettings): Promise<string> {
  const admin = createKafkaClient({
    brokers: `localhost:${port}`,
    clientId: 'tls-test',
    ssl,
    connectionTimeoutMs: 2000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    return 'connected';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await admin.disconnect();
  }
}

describe('createKafkaClient over TLS', () => {
  let listener: Awaited<ReturnType<typeof tlsListener>>;

  beforeAll(async () => {
    listener = await tlsListener();
  });
  afterAll(async () => {
    await new Promise((resolve) => listener.server.close(resolve));
  });
  beforeEach(() => {
    listener.handshakes.length = 0;
  });

  it('completes the handshake with a broker whose certificate chains to the CA file', async () => {
    await connectWith(listener.port, { caFile: fixture('ca.pem') });
    expect(listener.handshakes).toEqual([{ clientCertificate: null }]);
  });

  it('refuses a broker certificate it cannot verify, by default', async () => {
    const outcome = await connectWith(listener.port, {});
    expect(outcome).toMatch(/certificate/i);
    expect(listener.handshakes).toEqual([]);
  });

  it('skips verification only when rejectUnauthorized is explicitly false', async () => {
    await connectWith(listener.port, { rejectUnauthorized: false });
    expect(listener.handshakes).toHaveLength(1);
  });

  it('presents the client certificate for mutual TLS', async () => {
    await connectWith(listener.port, {
      caFile: fixture('ca.pem'),
      certFile: fixture('client.pem'),
      keyFile: fixture('client.key.pem'),
    });
    expect(listener.handshakes).toEqual([{ clientCertificate: 'consent-governance test client' }]);
  });
});
