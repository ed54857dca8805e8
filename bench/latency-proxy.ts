// A TCP proxy on loopback that holds every chunk for a fixed time in each direction, so the row-by-row subject
// of the masking bench pays the round trip a Lambda pays to its RDS database (~0.5 ms each way in one region)
// instead of loopback's few microseconds, which would flatter row-by-row masking by an order of magnitude.
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

export interface LatencyProxy {
  /** The loopback port to connect to instead of the database's. */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Waits below this are not left to setTimeout, which cannot wait less than 1 ms (and usually overshoots by a
 * fraction of one): the event loop turns with setImmediate instead until the chunk is due. That serves I/O
 * between turns and costs CPU only while a chunk is held.
 */
const SPIN_BELOW_MS = 2;

/** Copies `from` to `to`, each chunk written `delayMs` after it arrived, in arrival order; ends `to` after it. */
function delayedPipe(from: Socket, to: Socket, delayMs: number): void {
  const held: { readonly due: number; readonly chunk: Buffer }[] = [];
  let ended = false;
  let pumpScheduled = false;

  const pump = () => {
    pumpScheduled = false;
    const now = performance.now();
    while (held.length > 0 && (held[0]?.due ?? 0) <= now) {
      const next = held.shift();
      if (next) to.write(next.chunk);
    }
    const first = held[0];
    if (first) schedule(first.due - now);
    else if (ended) to.end();
  };
  const schedule = (waitMs: number) => {
    if (pumpScheduled) return;
    pumpScheduled = true;
    if (waitMs >= SPIN_BELOW_MS) setTimeout(pump, waitMs - 1);
    else setImmediate(pump);
  };

  from.on('data', (chunk: Buffer) => {
    held.push({ due: performance.now() + delayMs, chunk });
    schedule(delayMs);
  });
  from.on('end', () => {
    ended = true;
    schedule(0);
  });
}

/**
 * Listens on a free loopback port and forwards every connection to `target`, each chunk held `oneWayDelayMs`
 * on the way there and again on the way back. Nagle's algorithm is off on both legs: the delay is the proxy's,
 * not the kernel's coalescing.
 */
export async function startLatencyProxy(
  target: { readonly host: string; readonly port: number },
  oneWayDelayMs: number,
): Promise<LatencyProxy> {
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(target.port, target.host);
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      // One leg failing ends the other: the database client sees a dropped connection, as it would for real.
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    delayedPipe(client, upstream, oneWayDelayMs);
    delayedPipe(upstream, client, oneWayDelayMs);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('latency proxy has no TCP port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of open) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
