// A free TCP port on loopback for a throwaway server (embedded PostgreSQL, MariaDB, moto_server): the
// operating system picks one, and the probe closes before the server binds it.
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      probe.close(() => (port === undefined ? reject(new Error('no free port found')) : resolve(port)));
    });
  });
}
