/**
 * One DNS message in, one out: decodes a query, answers names in the cluster zone from the cache
 * (authoritative), forwards the rest to the upstreams, and encodes the reply within the size the
 * transport allows (512 bytes over UDP, or what the client's EDNS OPT record offers, at most 4096;
 * 65535 over TCP). A reply that does not fit loses its additional section first, then whole answer
 * records, and carries the TC bit when answers were dropped, so the client retries over TCP.
 *
 * Malformed queries get FORMERR, other opcodes NOTIMP, zone transfers and classes other than IN
 * REFUSED, an EDNS version above 0 BADVERS. Names outside the zone get REFUSED when no upstream is
 * configured and SERVFAIL when no upstream answers.
 */
import {
  AUTHORITATIVE_ANSWER,
  RECURSION_AVAILABLE,
  RECURSION_DESIRED,
  TRUNCATED_RESPONSE,
  decode,
  encode,
  type Answer,
  type DecodedPacket,
  type OptAnswer,
  type Packet,
  type Question,
} from 'dns-packet';
import type { Logger } from '../../util/log.js';
import type { DnsCache } from './cache.js';
import { ForwardError, type Forwarder } from './forwarder.js';
import type { DnsMetrics, RequestSeries } from './metrics.js';
import { resolve, type ResolverOptions } from './resolver.js';
import { encodeCompressed } from './wire.js';

/** Numeric response codes. */
export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
} as const;

const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

/** The EDNS payload size this server offers and the most it uses for UDP replies. */
export const EDNS_UDP_SIZE = 1232;
const MAX_UDP_SIZE = 4096;

/** Transport of a query. */
export type Proto = 'udp' | 'tcp';

/** What {@link QueryHandler} needs. */
export interface QueryHandlerOptions {
  cache: DnsCache;
  resolver: ResolverOptions;
  forwarder: Forwarder;
  metrics: DnsMetrics;
  log: Logger;
  /**
   * Shuffle the A/AAAA records of answers that hold several (headless Services), so clients that
   * take the first address spread over the endpoints, as CoreDNS's loadbalance plugin does
   * (default true). Such answers are then not remembered.
   */
  shuffle?: boolean;
  /** Random numbers in [0, 1) for the shuffle (tests). */
  random?: () => number;
}

interface Ctx {
  query: DecodedPacket;
  question: Question;
  proto: Proto;
  family: 1 | 2;
  /** Bytes the reply may take. */
  limit: number;
  /** The client's OPT record, when it sent one. */
  opt: OptAnswer | undefined;
  started: number;
  /** Set when the reply may be remembered under this key (answers from the cache alone). */
  memoKey?: string;
}

/** A remembered reply to a message that differed only in its ID. */
interface Memo {
  reply: Buffer;
  series: RequestSeries;
}

/** Most replies remembered at once (the memo is emptied when full and whenever the cache changes). */
const MEMO_MAX = 4096;

function isOpt(a: Answer): a is OptAnswer {
  return a.type === 'OPT';
}

/** Answers DNS messages. */
export class QueryHandler {
  private readonly memo = new Map<string, Memo>();
  private memoGeneration = -1;

  constructor(private readonly o: QueryHandlerOptions) {}

  /**
   * The reply to one message, or undefined when it deserves none (too short to carry an ID, or itself
   * a response). Synchronous for cluster names; a promise when the answer comes from upstream.
   */
  handle(msg: Buffer, proto: Proto, family: 1 | 2): Buffer | Promise<Buffer> | undefined {
    const started = performance.now();
    if (msg.length < 12 || ((msg[2] ?? 0) & 0x80) !== 0) return undefined;
    // A message identical but for its ID gets the same reply while the cache is unchanged.
    const gen = this.o.cache.generation;
    if (gen !== this.memoGeneration) {
      this.memo.clear();
      this.memoGeneration = gen;
    }
    const memoKey = `${proto}${family}${msg.toString('latin1', 2)}`;
    const hit = this.memo.get(memoKey);
    if (hit) {
      const out = Buffer.from(hit.reply);
      out[0] = msg[0] ?? 0;
      out[1] = msg[1] ?? 0;
      hit.series.observe(seconds(started));
      return out;
    }
    let query: DecodedPacket;
    try {
      query = decode(msg);
    } catch {
      return this.bare(msg, RCODE.FORMERR, proto, family, started);
    }
    const opcode = ((msg[2] ?? 0) >> 3) & 0x0f;
    if (opcode !== 0) return this.bare(msg, RCODE.NOTIMP, proto, family, started);
    const questions = query.questions ?? [];
    const question = questions[0];
    if (questions.length !== 1 || !question) return this.bare(msg, RCODE.FORMERR, proto, family, started);
    const opt = (query.additionals ?? []).find(isOpt);
    const limit =
      proto === 'tcp' ? 65535 : opt ? Math.max(512, Math.min(opt.udpPayloadSize, MAX_UDP_SIZE)) : 512;
    const ctx: Ctx = { query, question, proto, family, limit, opt, started };
    if (opt && opt.ednsVersion > 0) return this.reply(ctx, RCODE.NOERROR, [], [], [], 'badvers');
    const cls = question.class ?? 'IN';
    if ((cls !== 'IN' && cls !== 'ANY') || question.type === 'AXFR' || question.type === 'IXFR')
      return this.reply(ctx, RCODE.REFUSED, [], [], [], '');

    const r = resolve(this.o.cache, { name: question.name, type: question.type }, this.o.resolver);
    if (r.kind === 'answer') {
      const rcode = RCODE[r.rcode];
      if (!r.chase || !this.o.forwarder.enabled) {
        const shuffled = this.o.shuffle !== false && this.shuffleAddresses(r.answers);
        if (!shuffled) ctx.memoKey = memoKey;
        return this.reply(ctx, rcode, r.answers, r.authorities, r.additionals, 'kubernetes', true);
      }
      return this.chase(ctx, r.chase, r.answers);
    }
    if (!this.o.forwarder.enabled) return this.reply(ctx, RCODE.REFUSED, [], [], [], '');
    return this.forward(ctx, msg);
  }

  // -------------------------------------------------------------------------------------------------

  /** Shuffles the address records among themselves in place; true when there were several. */
  private shuffleAddresses(answers: Answer[]): boolean {
    const at: number[] = [];
    answers.forEach((a, i) => {
      if (a.type === 'A' || a.type === 'AAAA') at.push(i);
    });
    if (at.length < 2) return false;
    const random = this.o.random ?? Math.random;
    const recs = at.map((i) => answers[i] as Answer);
    for (let i = recs.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = recs[i] as Answer;
      recs[i] = recs[j] as Answer;
      recs[j] = t;
    }
    at.forEach((pos, k) => {
      answers[pos] = recs[k] as Answer;
    });
    return true;
  }

  /** Forwards the client's own message; relays the upstream's reply (re-truncated for UDP if needed). */
  private async forward(ctx: Ctx, msg: Buffer): Promise<Buffer> {
    let reply: Buffer;
    try {
      reply = await this.o.forwarder.forward(msg);
    } catch (err) {
      this.logForwardError(ctx, err);
      return this.reply(ctx, RCODE.SERVFAIL, [], [], [], 'forward');
    }
    const rcode = (reply[3] ?? 0) & 0x0f;
    if (reply.length <= ctx.limit) {
      this.count(ctx, rcode, 'forward');
      return reply;
    }
    let up: DecodedPacket;
    try {
      up = decode(reply);
    } catch (err) {
      this.logForwardError(ctx, err);
      return this.reply(ctx, RCODE.SERVFAIL, [], [], [], 'forward');
    }
    const flags = (up.flags ?? 0) & ~0x0f;
    return this.encodeFitted(
      ctx,
      flags | rcode,
      up.answers ?? [],
      up.authorities ?? [],
      up.additionals ?? [],
      rcode,
      'forward',
    );
  }

  /** Appends the upstream's answer for an ExternalName target to the CNAME record(s). */
  private async chase(ctx: Ctx, target: string, cnames: Answer[]): Promise<Buffer> {
    const q = encode({
      type: 'query',
      id: 0,
      flags: RECURSION_DESIRED,
      questions: [{ name: target, type: ctx.question.type, class: 'IN' }],
    });
    let answers = cnames;
    let rcode: number = RCODE.NOERROR;
    try {
      const up = decode(await this.o.forwarder.forward(q));
      const upRcode = (up.flags ?? 0) & 0x0f;
      if (upRcode === RCODE.NOERROR || upRcode === RCODE.NXDOMAIN) {
        answers = [...cnames, ...(up.answers ?? [])];
        rcode = upRcode;
      }
    } catch (err) {
      this.logForwardError(ctx, err);
    }
    return this.reply(ctx, rcode, answers, [], [], 'kubernetes', true);
  }

  private logForwardError(ctx: Ctx, err: unknown): void {
    const level = err instanceof ForwardError ? 'debug' : 'warn';
    this.o.log[level]({ err, name: ctx.question.name, type: ctx.question.type }, 'forwarding failed');
  }

  /** A header-only reply (FORMERR, NOTIMP) to a message that could not be (fully) read. */
  private bare(msg: Buffer, rcode: number, proto: Proto, family: 1 | 2, started: number): Buffer {
    const out = Buffer.alloc(12);
    msg.copy(out, 0, 0, 2);
    out[2] = 0x80 | ((msg[2] ?? 0) & 0x79); // QR, opcode and RD as asked
    out[3] = RECURSION_AVAILABLE | rcode;
    this.o.metrics.record(proto, family, 'other', RCODE_NAMES[rcode] ?? String(rcode), '', seconds(started));
    return out;
  }

  private reply(
    ctx: Ctx,
    rcode: number,
    answers: Answer[],
    authorities: Answer[],
    additionals: Answer[],
    plugin: string,
    authoritative = false,
  ): Buffer {
    const rd = (ctx.query.flags ?? 0) & RECURSION_DESIRED;
    const flags = (authoritative ? AUTHORITATIVE_ANSWER : 0) | rd | RECURSION_AVAILABLE | rcode;
    return this.encodeFitted(ctx, flags, answers, authorities, additionals, rcode, plugin);
  }

  /** Encodes a reply within the context's size limit (see the file comment), and counts it. */
  private encodeFitted(
    ctx: Ctx,
    flags: number,
    answers: Answer[],
    authorities: Answer[],
    additionals: Answer[],
    rcode: number,
    plugin: string,
  ): Buffer {
    const badvers = plugin === 'badvers';
    const opt: OptAnswer[] = ctx.opt
      ? [
          {
            type: 'OPT',
            name: '.',
            udpPayloadSize: EDNS_UDP_SIZE,
            extendedRcode: badvers ? 1 : 0,
            ednsVersion: 0,
            flags: 0,
            flag_do: false,
            options: [],
          },
        ]
      : [];
    const extra = additionals.filter((a) => a.type !== 'OPT');
    const packet: Packet = {
      type: 'response',
      id: ctx.query.id ?? 0,
      flags,
      questions: [ctx.question],
      answers,
      authorities,
      additionals: [...extra, ...opt],
    };
    let out = encodeReply(packet);
    if (out.length > ctx.limit) {
      // Drop the additional section (no TC needed), then authorities, then answers until it fits.
      packet.additionals = opt;
      out = encodeReply(packet);
      if (out.length > ctx.limit) {
        packet.flags = flags | TRUNCATED_RESPONSE;
        packet.authorities = [];
        // The most leading answers that fit (binary search: large answers would take many encodes).
        let lo = 0;
        let hi = answers.length - 1;
        let best = encodeReply({ ...packet, answers: [] });
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          const attempt = encodeReply({ ...packet, answers: answers.slice(0, mid) });
          if (attempt.length <= ctx.limit) {
            best = attempt;
            lo = mid + 1;
          } else hi = mid - 1;
        }
        out = best;
      }
    }
    this.count(ctx, badvers ? 16 : rcode, badvers ? '' : plugin);
    if (ctx.memoKey !== undefined) {
      if (this.memo.size >= MEMO_MAX) this.memo.clear();
      const series = this.o.metrics.series(
        ctx.proto,
        ctx.family,
        ctx.question.type,
        rcodeName(rcode),
        plugin,
      );
      this.memo.set(ctx.memoKey, { reply: out, series });
    }
    return out;
  }

  private count(ctx: Ctx, rcode: number, plugin: string): void {
    this.o.metrics.record(
      ctx.proto,
      ctx.family,
      ctx.question.type,
      rcodeName(rcode),
      plugin,
      seconds(ctx.started),
    );
  }
}

/** Wire format of a reply: compressed when the compact encoder covers it, else dns-packet's. */
function encodeReply(p: Packet): Buffer {
  return encodeCompressed(p) ?? encode(p);
}

function rcodeName(rcode: number): string {
  return rcode === 16 ? 'BADVERS' : (RCODE_NAMES[rcode] ?? String(rcode));
}

function seconds(started: number): number {
  return (performance.now() - started) / 1000;
}
