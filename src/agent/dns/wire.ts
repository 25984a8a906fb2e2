/**
 * A compact encoder for the replies the server builds itself: names are compressed (RFC 1035 4.1.4)
 * wherever the RFCs allow it (owner names; the names inside CNAME, PTR, NS and SOA data; never the
 * SRV target, per RFC 2782), so a 512-byte UDP reply holds about three times more records than an
 * uncompressed one. It covers the record types the resolver produces (A, AAAA, CNAME, PTR, NS, SRV,
 * SOA, TXT, OPT without options); for anything else it returns undefined and the caller falls back
 * to dns-packet's general encoder.
 */
import type { Answer, Packet } from 'dns-packet';
import { parseIP } from '../../api/networking/ip.js';

const TYPE_NUMBERS: Record<string, number> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  NAPTR: 35,
  OPT: 41,
  DS: 43,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  SVCB: 64,
  HTTPS: 65,
  CAA: 257,
  AXFR: 252,
  IXFR: 251,
  ANY: 255,
};

const CLASS_NUMBERS: Record<string, number> = { IN: 1, CS: 2, CH: 3, HS: 4, ANY: 255 };

/** The number of a type name as dns-packet spells it (`A`, `UNKNOWN_65`), or undefined. */
function typeNumber(t: string): number | undefined {
  const n = TYPE_NUMBERS[t];
  if (n !== undefined) return n;
  const m = /^UNKNOWN_(\d+)$/.exec(t);
  return m ? Number(m[1]) : undefined;
}

function classNumber(c: string | undefined): number | undefined {
  if (c === undefined) return 1;
  const n = CLASS_NUMBERS[c];
  if (n !== undefined) return n;
  const m = /^UNKNOWN_(\d+)$/.exec(c);
  return m ? Number(m[1]) : undefined;
}

class Unsupported extends Error {}

class Writer {
  buf = Buffer.allocUnsafe(1024);
  len = 0;
  private readonly names = new Map<string, number>();

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v & 0xff;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v & 0xffff, this.len);
    this.len += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** A domain name, compressed against names written before when `compress` is set. */
  name(raw: string, compress: boolean): void {
    const name = raw.endsWith('.') ? raw.slice(0, -1) : raw;
    const labels = name === '' || name === '.' ? [] : name.split('.');
    for (let i = 0; i < labels.length; i++) {
      const suffix = i === 0 ? name : labels.slice(i).join('.');
      const at = compress ? this.names.get(suffix) : undefined;
      if (at !== undefined) {
        this.u16(0xc000 | at);
        return;
      }
      if (this.len < 0x3fff && !this.names.has(suffix)) this.names.set(suffix, this.len);
      const label = Buffer.from(labels[i] ?? '', 'utf8');
      if (label.length === 0 || label.length > 63)
        throw new Unsupported(`bad label in ${JSON.stringify(raw)}`);
      this.u8(label.length);
      this.bytes(label);
    }
    this.u8(0);
  }

  /** Reserves a 16-bit length and returns a function that fills it with the bytes written since. */
  lengthSlot(): () => void {
    const at = this.len;
    this.u16(0);
    return () => this.buf.writeUInt16BE(this.len - at - 2, at);
  }
}

function address(ip: string, size: 4 | 16): Uint8Array {
  const b = parseIP(ip);
  if (!b || b.length !== size) throw new Unsupported(`bad address ${ip}`);
  return b;
}

function record(w: Writer, a: Answer): void {
  if (a.type === 'OPT') {
    if (a.options.length > 0) throw new Unsupported('OPT options');
    w.u8(0);
    w.u16(41);
    w.u16(a.udpPayloadSize || 4096);
    w.u8(a.extendedRcode || 0);
    w.u8(a.ednsVersion || 0);
    w.u16(a.flags || 0);
    w.u16(0);
    return;
  }
  const type = typeNumber(a.type);
  const cls = classNumber(a.class);
  if (type === undefined || cls === undefined) throw new Unsupported(a.type);
  w.name(a.name, true);
  w.u16(type);
  w.u16(cls);
  w.u32(a.ttl ?? 0);
  const done = w.lengthSlot();
  switch (a.type) {
    case 'A':
      w.bytes(address(a.data, 4));
      break;
    case 'AAAA':
      w.bytes(address(a.data, 16));
      break;
    case 'CNAME':
    case 'PTR':
    case 'NS':
      w.name(a.data, true);
      break;
    case 'SRV':
      w.u16(a.data.priority ?? 0);
      w.u16(a.data.weight ?? 0);
      w.u16(a.data.port);
      w.name(a.data.target, false);
      break;
    case 'SOA':
      w.name(a.data.mname, true);
      w.name(a.data.rname, true);
      w.u32(a.data.serial ?? 0);
      w.u32(a.data.refresh ?? 0);
      w.u32(a.data.retry ?? 0);
      w.u32(a.data.expire ?? 0);
      w.u32(a.data.minimum ?? 0);
      break;
    case 'TXT': {
      const parts = Array.isArray(a.data) ? a.data : [a.data];
      for (const p of parts) {
        const b = typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
        if (b.length > 255) throw new Unsupported('TXT string over 255 bytes');
        w.u8(b.length);
        w.bytes(b);
      }
      break;
    }
    default:
      throw new Unsupported(a.type);
  }
  done();
}

/**
 * Encodes a reply with name compression, or returns undefined when it holds something this encoder
 * does not cover. `flags` are the header's flag bits as dns-packet takes them (QR is added).
 */
export function encodeCompressed(p: Packet): Buffer | undefined {
  try {
    const w = new Writer();
    const qs = p.questions ?? [];
    const an = p.answers ?? [];
    const ns = p.authorities ?? [];
    const ar = p.additionals ?? [];
    w.u16(p.id ?? 0);
    w.u16(((p.flags ?? 0) & 0x7fff) | (p.type === 'response' ? 0x8000 : 0));
    w.u16(qs.length);
    w.u16(an.length);
    w.u16(ns.length);
    w.u16(ar.length);
    for (const q of qs) {
      const type = typeNumber(q.type);
      const cls = classNumber(q.class);
      if (type === undefined || cls === undefined) return undefined;
      w.name(q.name, true);
      w.u16(type);
      w.u16(cls);
    }
    for (const a of an) record(w, a);
    for (const a of ns) record(w, a);
    for (const a of ar) record(w, a);
    return Buffer.from(w.buf.subarray(0, w.len));
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}
