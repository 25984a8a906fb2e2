/** Waits until a DNS server answers an A query for a name with at least one address. */
import { createSocket } from 'node:dgram';
import { decode, encode } from 'dns-packet';

/** Sends an A query for `name` to host:port every 200 ms until an answer holds an A record; false at the deadline. */
export async function probeA(host: string, port: number, name: string, timeoutMs: number): Promise<boolean> {
  const sock = createSocket('udp4');
  const deadline = Date.now() + timeoutMs;
  let answered = false;
  sock.on('message', (msg) => {
    try {
      const r = decode(msg);
      if ((r.answers ?? []).some((a) => a.type === 'A')) answered = true;
    } catch {
      // not a DNS answer
    }
  });
  try {
    for (let id = 1; !answered && Date.now() < deadline; id++) {
      const q = encode({ type: 'query', id, flags: 0x0100, questions: [{ name, type: 'A', class: 'IN' }] });
      sock.send(q, port, host);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    sock.close();
  }
  return answered;
}
