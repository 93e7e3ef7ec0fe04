// The floor Node.js itself sets for a round trip between two processes over
// loopback: a bare TCP echo and a bare `ws` echo, measured in the same run as
// the kit, so a slow figure can be told apart from a slow machine.
import { execa } from 'execa';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { median, percentile, type Figure } from './figures.ts';

const ECHO_SERVERS = `
const net = require('node:net');
const { WebSocketServer } = require('ws');
const tcp = net.createServer((s) => { s.setNoDelay(true); s.on('data', (d) => s.write(d)); }).listen(0, '127.0.0.1', () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false }, () => {
    process.stdout.write(JSON.stringify({ tcp: tcp.address().port, ws: wss.address().port }) + '\\n');
  });
  wss.on('connection', (ws) => ws.on('message', (d, binary) => ws.send(d, { binary })));
});
process.on('disconnect', () => process.exit(0));
`;

async function trips(n: number, once: () => Promise<void>): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await once();
    xs.push((performance.now() - t0) * 1000);
  }
  return percentile(xs, 50);
}

/** A bare TCP echo and a bare ws echo in a Node.js process of their own, and one round trip to each. */
export interface EchoServers {
  tcpTrip(): Promise<void>;
  wsTrip(): Promise<void>;
  close(): void;
}

export async function startEchoServers(): Promise<EchoServers> {
  const server = execa(process.execPath, ['-e', ECHO_SERVERS], { ipc: true, reject: false, buffer: false, cwd: fileURLToPath(new URL('..', import.meta.url)) });
  try {
    const ports = await new Promise<{ tcp: number; ws: number }>((resolve) => {
      server.stdout?.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()) as { tcp: number; ws: number }));
    });
    const socket = connect(ports.tcp, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise((r) => socket.once('connect', r));
    const ws = new WebSocket(`ws://127.0.0.1:${ports.ws}/`, { perMessageDeflate: false });
    await new Promise((r) => ws.once('open', r));
    return {
      tcpTrip: () => new Promise<void>((resolve) => {
        socket.once('data', () => resolve());
        socket.write('{"n":1}');
      }),
      wsTrip: () => new Promise<void>((resolve) => {
        ws.once('message', () => resolve());
        ws.send('{"n":1}');
      }),
      close() {
        socket.destroy();
        ws.close();
        server.kill();
      },
    };
  } catch (err) {
    server.kill();
    throw err;
  }
}

export async function floorFigures(o: { runs: number; trips: number }): Promise<Figure[]> {
  const echo = await startEchoServers();
  try {
    const tcpP50: number[] = [];
    for (let r = 0; r < o.runs; r++) tcpP50.push(await trips(o.trips, echo.tcpTrip));
    const wsP50: number[] = [];
    for (let r = 0; r < o.runs; r++) wsP50.push(await trips(o.trips, echo.wsTrip));
    return [
      { key: 'floorTcpRoundTripP50Us', label: "floor: a bare TCP echo's round trip, p50", unit: 'us', lowerIsBetter: true, kit: median(tcpP50) },
      { key: 'floorWsRoundTripP50Us', label: "floor: a bare ws echo's round trip, p50", unit: 'us', lowerIsBetter: true, kit: median(wsP50) },
    ];
  } finally {
    echo.close();
  }
}
