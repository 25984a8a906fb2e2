/**
 * Cluster IPs and node ports of Services: allocated before a Service is validated and written,
 * given back when the write fails, when an update stops needing them (a type change) and when the
 * Service goes. Upstream's ipallocator/portallocator with its repair loop, kept as one storage key per
 * allocated item (see {@link AllocationRange}). Error texts are upstream's.
 */
import type { FieldError } from '../../api/errors.js';
import {
  isHeadless,
  needsClusterIP,
  needsHealthCheckNodePort,
  needsNodePorts,
} from '../../api/core/defaults/service.js';
import { num, rec, records, str, strings, type JsonObject } from '../../api/core/util.js';
import type { KubeObject, StoredObject } from '../../api/meta.js';
import type { Backend } from '../../storage/backend.js';
import { ipToString, parseCidr } from '../../util/cidr.js';
import type { Logger } from '../../util/log.js';
import type { StoreHooks } from '../store.js';

import { AllocationRange, type Owner } from './range.js';

/** Upstream's default node port range. */
export const DEFAULT_NODE_PORT_RANGE = { first: 30000, last: 32767 };

/** Storage prefixes of the two ranges. */
export const SERVICE_IP_PREFIX = '/registry/k8ts.io/serviceips/';
export const NODE_PORT_PREFIX = '/registry/k8ts.io/servicenodeports/';

export interface ServiceRangesOptions {
  backend: Backend;
  /** `--service-cidr` (IPv4). */
  serviceCidr: string;
  nodePorts?: { first: number; last: number };
  log: Logger;
  random?: () => number;
}

function parseIPv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const o = m.slice(1, 5).map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return o.reduce((acc, x) => acc * 256 + x, 0);
}

function parsePort(text: string): number | undefined {
  return /^\d{1,5}$/.test(text) ? Number(text) : undefined;
}

/** What a Service holds. */
interface Held {
  ips: number[];
  ports: number[];
}

function specOf(obj: KubeObject): JsonObject {
  return (rec((obj as JsonObject)['spec']) ?? {}) as JsonObject;
}

function ownerOf(obj: KubeObject): Owner {
  return { namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' };
}

/** Node ports a LoadBalancer Service gets (none when allocateLoadBalancerNodePorts is false). */
function wantsNodePorts(svc: KubeObject): boolean {
  const spec = specOf(svc);
  if (!needsNodePorts(svc as JsonObject)) return false;
  return !(str(spec['type']) === 'LoadBalancer' && spec['allocateLoadBalancerNodePorts'] === false);
}

/** The allocation hooks of the Service store. */
export class ServiceRanges implements StoreHooks {
  readonly ips: AllocationRange;
  readonly ports: AllocationRange;
  private readonly cidr: string;
  private readonly portRange: { first: number; last: number };
  private readonly log: Logger;
  /** Items found leaked by the last repair: given back if still leaked at the next. */
  private suspects = new Set<string>();

  constructor(opts: ServiceRangesOptions) {
    const { base, bits } = parseCidr(opts.serviceCidr);
    const size = 2 ** (32 - bits);
    this.cidr = `${ipToString(base)}/${bits}`;
    // Neither the network address nor (for ranges of more than two) the broadcast address.
    const first = size > 2 ? base + 1 : base;
    const last = size > 2 ? base + size - 2 : base + size - 1;
    const count = last - first + 1;
    this.ips = new AllocationRange(
      opts.backend,
      SERVICE_IP_PREFIX,
      first,
      last,
      Math.min(Math.max(16, Math.floor(count / 16)), 256),
      ipToString,
      parseIPv4,
      opts.random,
    );
    this.portRange = opts.nodePorts ?? DEFAULT_NODE_PORT_RANGE;
    const ports = this.portRange.last - this.portRange.first + 1;
    this.ports = new AllocationRange(
      opts.backend,
      NODE_PORT_PREFIX,
      this.portRange.first,
      this.portRange.last,
      Math.min(Math.max(16, Math.floor(ports / 32)), 128),
      String,
      parsePort,
      opts.random,
    );
    this.log = opts.log;
  }

  /** What `svc` holds in the two ranges. */
  private held(svc: KubeObject | undefined): Held {
    const out: Held = { ips: [], ports: [] };
    if (!svc) return out;
    const spec = specOf(svc);
    if (needsClusterIP(svc as JsonObject) && !isHeadless(svc as JsonObject)) {
      for (const ip of strings(spec['clusterIPs'])) {
        const n = parseIPv4(ip);
        if (n !== undefined && this.ips.contains(n)) out.ips.push(n);
      }
    }
    if (needsNodePorts(svc as JsonObject)) {
      for (const [p] of records(spec['ports'])) {
        const n = num(p['nodePort']);
        if (n && this.ports.contains(n) && !out.ports.includes(n)) out.ports.push(n);
      }
    }
    if (needsHealthCheckNodePort(svc as JsonObject)) {
      const n = num(spec['healthCheckNodePort']);
      if (n && this.ports.contains(n) && !out.ports.includes(n)) out.ports.push(n);
    }
    return out;
  }

  async beforeWrite(
    obj: StoredObject,
    old: StoredObject | undefined,
    dryRun: boolean,
  ): Promise<{ errors: FieldError[]; done(ok: boolean): Promise<void> }> {
    const owner = ownerOf(obj);
    const before = this.held(old);
    const claimed: { range: AllocationRange; n: number }[] = [];
    const errors: FieldError[] = [];
    const spec = specOf(obj);
    const take = async (
      range: AllocationRange,
      n: number,
      field: string,
      badValue: unknown,
      what: string,
    ): Promise<void> => {
      if (dryRun) {
        if (!(await range.available(n, owner)))
          errors.push({
            type: 'FieldValueInvalid',
            field,
            badValue,
            detail: `${what}provided ${range === this.ips ? 'IP' : 'port'} is already allocated`,
          });
        return;
      }
      const res = await range.claim(n, owner);
      if (res === 'taken')
        errors.push({
          type: 'FieldValueInvalid',
          field,
          badValue,
          detail: `${what}provided ${range === this.ips ? 'IP' : 'port'} is already allocated`,
        });
      else if (res === 'claimed') claimed.push({ range, n });
    };
    const any = async (range: AllocationRange): Promise<number | undefined> => {
      const n = await range.claimAny(owner, dryRun);
      if (n !== undefined && !dryRun) claimed.push({ range, n });
      return n;
    };

    try {
      // Cluster IPs.
      if (needsClusterIP(obj as JsonObject) && !isHeadless(obj as JsonObject)) {
        const ips = strings(spec['clusterIPs']);
        if (ips.length === 0 && str(spec['clusterIP']) === '') {
          const n = await any(this.ips);
          if (n === undefined) {
            errors.push({
              type: 'InternalError',
              field: 'spec.clusterIPs',
              detail: 'failed to allocate a serviceIP: range is full',
            });
          } else {
            spec['clusterIP'] = ipToString(n);
            spec['clusterIPs'] = [ipToString(n)];
          }
        } else {
          for (const ip of ips) {
            const n = parseIPv4(ip);
            // Malformed or IPv6 values are for validation to report.
            if (n === undefined || before.ips.includes(n)) continue;
            if (!this.ips.contains(n)) {
              errors.push({
                type: 'FieldValueInvalid',
                field: 'spec.clusterIPs',
                badValue: ips,
                detail: `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.cidr}`,
              });
              continue;
            }
            await take(this.ips, n, 'spec.clusterIPs', ips, `failed to allocate IP ${ip}: `);
          }
        }
      }
      // Node ports: ports of one Service with the same number (TCP and UDP 53) share one.
      if (needsNodePorts(obj as JsonObject)) {
        const byPort = new Map<number, number>();
        for (const [p] of records(spec['ports'])) {
          const n = num(p['nodePort']);
          if (n) byPort.set(num(p['port']) ?? 0, n);
        }
        const seen = new Set<number>();
        for (const [i, [p]] of records(spec['ports']).entries()) {
          const field = `spec.ports[${i}].nodePort`;
          let n = num(p['nodePort']);
          if (!n) {
            if (!wantsNodePorts(obj)) continue;
            n = byPort.get(num(p['port']) ?? 0) ?? (await any(this.ports));
            if (n === undefined) {
              errors.push({
                type: 'InternalError',
                field,
                detail: 'failed to allocate a nodePort: range is full',
              });
              continue;
            }
            p['nodePort'] = n;
            byPort.set(num(p['port']) ?? 0, n);
            seen.add(n);
            continue;
          }
          if (seen.has(n) || before.ports.includes(n)) {
            seen.add(n);
            continue;
          }
          seen.add(n);
          if (!this.ports.contains(n)) {
            errors.push({
              type: 'FieldValueInvalid',
              field,
              badValue: n,
              detail: `provided port is not in the valid range. The range of valid ports is ${this.portRange.first}-${this.portRange.last}`,
            });
            continue;
          }
          await take(this.ports, n, field, n, '');
        }
      }
      if (needsHealthCheckNodePort(obj as JsonObject)) {
        const field = 'spec.healthCheckNodePort';
        const n = num(spec['healthCheckNodePort']);
        if (!n) {
          const got = await any(this.ports);
          if (got === undefined)
            errors.push({
              type: 'InternalError',
              field,
              detail: 'failed to allocate a nodePort: range is full',
            });
          else spec['healthCheckNodePort'] = got;
        } else if (!before.ports.includes(n)) {
          if (!this.ports.contains(n))
            errors.push({
              type: 'FieldValueInvalid',
              field,
              badValue: n,
              detail: `provided port is not in the valid range. The range of valid ports is ${this.portRange.first}-${this.portRange.last}`,
            });
          else await take(this.ports, n, field, n, '');
        }
      }
    } catch (err) {
      await this.giveBack(claimed, owner);
      throw err;
    }

    return {
      errors,
      done: async (ok) => {
        if (!ok) {
          await this.giveBack(claimed, owner);
          return;
        }
        // What the old object held and the new one does not (a type change, a removed port).
        const after = this.held(obj);
        const gone = [
          ...before.ips.filter((n) => !after.ips.includes(n)).map((n) => ({ range: this.ips, n })),
          ...before.ports.filter((n) => !after.ports.includes(n)).map((n) => ({ range: this.ports, n })),
        ];
        await this.giveBack(gone, owner);
      },
    };
  }

  async removed(obj: StoredObject): Promise<void> {
    const held = this.held(obj);
    await this.giveBack(
      [
        ...held.ips.map((n) => ({ range: this.ips, n })),
        ...held.ports.map((n) => ({ range: this.ports, n })),
      ],
      ownerOf(obj),
    );
  }

  private async giveBack(items: { range: AllocationRange; n: number }[], owner: Owner): Promise<void> {
    for (const { range, n } of items) {
      try {
        await range.release(n, owner);
      } catch (err) {
        // The repair pass frees it later.
        this.log.warn({ err, item: n, owner }, 'could not release a service allocation');
      }
    }
  }

  /**
   * Makes the ranges agree with the Services (at start, then periodically): a Service's value without
   * a key gets one; a key whose owner does not hold it is given back once two passes in a row found it
   * so (a Service being created between the two reads is not mistaken for a leak).
   */
  async repair(services: Iterable<KubeObject>): Promise<{ claimed: number; released: number }> {
    const ips = await this.ips.load();
    const ports = await this.ports.load();
    const holds = new Map<string, string>();
    let claimed = 0;
    for (const svc of services) {
      const owner = ownerOf(svc);
      const id = `${owner.namespace}/${owner.name}`;
      const h = this.held(svc);
      for (const [range, items, map, kind] of [
        [this.ips, h.ips, ips, 'ip'],
        [this.ports, h.ports, ports, 'port'],
      ] as const) {
        for (const n of items) {
          holds.set(`${kind}:${n}`, id);
          if (map.has(n)) continue;
          const res = await range.claim(n, owner);
          if (res === 'claimed') claimed++;
          else if (res === 'taken')
            this.log.warn({ service: id, item: n, kind }, 'a Service holds a value allocated to another');
        }
      }
    }
    let released = 0;
    const suspects = new Set<string>();
    for (const [range, map, kind] of [
      [this.ips, ips, 'ip'],
      [this.ports, ports, 'port'],
    ] as const) {
      for (const [n, owner] of map) {
        const id = owner ? `${owner.namespace}/${owner.name}` : '';
        const k = `${kind}:${n}`;
        if (holds.get(k) === id) continue;
        if (this.suspects.has(k)) {
          await range.forget(n);
          released++;
        } else suspects.add(k);
      }
    }
    this.suspects = suspects;
    return { claimed, released };
  }
}
