import { describe, expect, it } from 'vitest';
import type { IngressModel } from './model.js';
import { initialSlots, planRuntimeUpdate, structureKey } from './runtime.js';

function model(servers: [string, number][], backend = 'be_ns_web_80'): IngressModel {
  return {
    routes: [],
    backends: [
      {
        name: backend,
        namespace: 'ns',
        service: 'web',
        port: '80',
        servers: servers.map(([address, port]) => ({ address, port })),
      },
    ],
    certificates: [],
    problems: [],
  };
}

const counts = new Map([['be_ns_web_80', 4]]);

describe('endpoint changes through the admin socket', () => {
  it('fills free slots and puts removed endpoints into maintenance', () => {
    const m0 = model([
      ['10.0.0.1', 8080],
      ['10.0.0.2', 8080],
    ]);
    const s0 = initialSlots(m0, counts, 'k');
    expect(s0.slots.get('be_ns_web_80')).toEqual(['10.0.0.1:8080', '10.0.0.2:8080', undefined, undefined]);
    const plan = planRuntimeUpdate(
      s0,
      model([
        ['10.0.0.2', 8080],
        ['10.0.0.3', 9090],
        ['fd00::1', 80],
      ]),
    );
    expect(plan?.commands).toEqual([
      'set server be_ns_web_80/ep0 state maint',
      'set server be_ns_web_80/ep0 addr 10.0.0.3 port 9090',
      'set server be_ns_web_80/ep0 state ready',
      'set server be_ns_web_80/ep2 addr fd00::1 port 80',
      'set server be_ns_web_80/ep2 state ready',
    ]);
    expect(plan?.next.slots.get('be_ns_web_80')).toEqual([
      '10.0.0.3:9090',
      '10.0.0.2:8080',
      '[fd00::1]:80',
      undefined,
    ]);
    expect(
      planRuntimeUpdate(
        plan!.next,
        model([
          ['10.0.0.2', 8080],
          ['10.0.0.3', 9090],
          ['fd00::1', 80],
        ]),
      )?.commands,
    ).toEqual([]);
  });

  it('asks for a reload when the endpoints outgrow the slots', () => {
    const s0 = initialSlots(model([]), counts, 'k');
    const five = model([1, 2, 3, 4, 5].map((i) => [`10.0.0.${i}`, 80]));
    expect(planRuntimeUpdate(s0, five)).toBeUndefined();
  });

  it('keys the configuration apart from endpoints', () => {
    expect(structureKey(model([['10.0.0.1', 1]]), counts, 'x')).toBe(structureKey(model([]), counts, 'x'));
    expect(structureKey(model([]), counts, 'x')).not.toBe(structureKey(model([], 'be_other'), counts, 'x'));
  });
});
