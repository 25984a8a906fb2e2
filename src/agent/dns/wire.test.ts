import { decode, encode, type Packet } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { encodeCompressed } from './wire.js';

const zone = 'cluster.local';

function reply(extra: Partial<Packet> = {}): Packet {
  return {
    type: 'response',
    id: 4242,
    flags: 0x0400 | 0x0100 | 0x0080 | 3,
    questions: [{ name: 'Web.Shop.svc.cluster.local', type: 'A', class: 'IN' }],
    answers: [],
    authorities: [],
    additionals: [],
    ...extra,
  };
}

describe('compressed reply encoder', () => {
  it('round-trips every record type the resolver emits, through dns-packet', () => {
    const p = reply({
      answers: [
        { name: 'Web.Shop.svc.cluster.local', type: 'A', class: 'IN', ttl: 5, data: '10.42.0.5' },
        { name: 'Web.Shop.svc.cluster.local', type: 'AAAA', class: 'IN', ttl: 5, data: 'fd00:42::5' },
        { name: 'ext.shop.svc.cluster.local', type: 'CNAME', class: 'IN', ttl: 5, data: 'db.example.test' },
        {
          name: '5.0.42.10.in-addr.arpa',
          type: 'PTR',
          class: 'IN',
          ttl: 5,
          data: 'web-0.web.shop.svc.cluster.local',
        },
        { name: zone, type: 'NS', class: 'IN', ttl: 5, data: `ns.dns.${zone}` },
        {
          name: '_http._tcp.web.shop.svc.cluster.local',
          type: 'SRV',
          class: 'IN',
          ttl: 5,
          data: { priority: 0, weight: 50, port: 8080, target: 'web-0.web.shop.svc.cluster.local' },
        },
        { name: `dns-version.${zone}`, type: 'TXT', class: 'IN', ttl: 5, data: '1.1.0' },
      ],
      authorities: [
        {
          name: zone,
          type: 'SOA',
          class: 'IN',
          ttl: 5,
          data: {
            mname: `ns.dns.${zone}`,
            rname: `hostmaster.${zone}`,
            serial: 1700000000,
            refresh: 7200,
            retry: 1800,
            expire: 86400,
            minimum: 5,
          },
        },
      ],
      additionals: [
        { name: 'web-0.web.shop.svc.cluster.local', type: 'A', class: 'IN', ttl: 5, data: '10.42.0.5' },
        {
          type: 'OPT',
          name: '.',
          udpPayloadSize: 1232,
          extendedRcode: 0,
          ednsVersion: 0,
          flags: 0,
          flag_do: false,
          options: [],
        },
      ],
    });
    const ours = encodeCompressed(p);
    expect(ours).toBeDefined();
    const a = decode(ours ?? Buffer.alloc(0));
    const b = decode(encode(p));
    expect(a).toEqual(b);
    expect(a.id).toBe(4242);
    expect(a.questions?.[0]?.name).toBe('Web.Shop.svc.cluster.local');
    expect((ours ?? Buffer.alloc(0)).length).toBeLessThan(encode(p).length);
  });

  it('fits three times more A records in 512 bytes than the uncompressed form', () => {
    const answers = Array.from({ length: 40 }, (_, i) => ({
      name: 'web.shop.svc.cluster.local',
      type: 'A' as const,
      class: 'IN' as const,
      ttl: 5,
      data: `10.42.0.${i + 1}`,
    }));
    const questions = [{ name: 'web.shop.svc.cluster.local', type: 'A' as const, class: 'IN' as const }];
    const perRecordOurs = ((encodeCompressed(reply({ questions, answers }))?.length ?? 0) - 44) / 40;
    const perRecordPlain = (encode(reply({ questions, answers })).length - 44) / 40;
    expect(perRecordOurs).toBe(16);
    expect(perRecordPlain / perRecordOurs).toBeGreaterThan(2.5);
  });

  it('keeps unknown question types and leaves other record types to dns-packet', () => {
    const q = reply({ questions: [{ name: 'x.cluster.local', type: 'UNKNOWN_65' as 'A', class: 'IN' }] });
    expect(decode(encodeCompressed(q) ?? Buffer.alloc(0)).questions?.[0]?.type).toBe('UNKNOWN_65');
    const mx = reply({
      answers: [
        {
          name: 'x.example',
          type: 'MX',
          class: 'IN',
          ttl: 5,
          data: { preference: 1, exchange: 'mx.example' },
        },
      ],
    });
    expect(encodeCompressed(mx)).toBeUndefined();
  });
});
