import { describe, expect, it } from 'vitest';
import {
  endpointSlicePrinter,
  ingressClassPrinter,
  ingressPrinter,
  networkPolicyPrinter,
} from './networking.js';
import { ago, columnNames, row } from './testing/table.js';

const meta = { name: 'web', namespace: 'default', creationTimestamp: ago({ d: 1, h: 2 }) };

describe('ingress printer', () => {
  it('has upstream columns', () => {
    expect(columnNames(ingressPrinter)).toEqual(['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age']);
  });

  it('prints class, hosts, addresses and ports', () => {
    const ing = {
      metadata: meta,
      spec: {
        ingressClassName: 'traefik',
        rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }],
        tls: [{ hosts: ['a.example.com'], secretName: 'tls' }],
      },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.5' }, { hostname: 'lb.example.com' }] } },
    };
    expect(row(ingressPrinter, ing)).toEqual({
      Name: 'web',
      Class: 'traefik',
      Hosts: 'a.example.com,b.example.com',
      Address: '192.0.2.5,lb.example.com',
      Ports: '80, 443',
      Age: '26h',
    });
  });

  it('prints <none>, *, and cuts hosts after three', () => {
    expect(row(ingressPrinter, { metadata: meta, spec: { rules: [{}] } })).toMatchObject({
      Class: '<none>',
      Hosts: '*',
      Address: '',
      Ports: '80',
    });
    const rules = (hosts: (string | undefined)[]): { host?: string }[] =>
      hosts.map((host) => (host ? { host } : {}));
    const hosts = (list: (string | undefined)[]): unknown =>
      row(ingressPrinter, { metadata: meta, spec: { rules: rules(list) } })['Hosts'];
    expect(hosts(['a', 'b', 'c', 'd', undefined])).toBe('a,b,c + 2 more...');
    expect(hosts([undefined, 'a', 'b', 'c'])).toBe('a,b,c');
    expect(hosts(['a', undefined, 'b', 'c', undefined])).toBe('a,b,c + 2 more...');
  });
});

describe('ingressclass printer', () => {
  it('prints controller and parameters', () => {
    expect(columnNames(ingressClassPrinter)).toEqual(['Name', 'Controller', 'Parameters', 'Age']);
    const ic = {
      metadata: meta,
      spec: {
        controller: 'traefik.io/ingress-controller',
        parameters: { apiGroup: 'k8s.example.com', kind: 'Params', name: 'p' },
      },
    };
    expect(row(ingressClassPrinter, ic)).toEqual({
      Name: 'web',
      Controller: 'traefik.io/ingress-controller',
      Parameters: 'Params.k8s.example.com/p',
      Age: '26h',
    });
    expect(
      row(ingressClassPrinter, {
        metadata: meta,
        spec: { controller: 'x', parameters: { kind: 'ConfigMap', name: 'c' } },
      })['Parameters'],
    ).toBe('ConfigMap/c');
    expect(row(ingressClassPrinter, { metadata: meta, spec: { controller: 'x' } })['Parameters']).toBe(
      '<none>',
    );
  });
});

describe('networkpolicy printer', () => {
  it('prints the pod selector', () => {
    expect(columnNames(networkPolicyPrinter)).toEqual(['Name', 'Pod-Selector', 'Age']);
    expect(
      row(networkPolicyPrinter, { metadata: meta, spec: { podSelector: { matchLabels: { role: 'db' } } } })[
        'Pod-Selector'
      ],
    ).toBe('role=db');
    expect(row(networkPolicyPrinter, { metadata: meta, spec: { podSelector: {} } })['Pod-Selector']).toBe(
      '<none>',
    );
  });
});

describe('endpointslice printer', () => {
  it('prints address type, ports and endpoints', () => {
    expect(columnNames(endpointSlicePrinter)).toEqual(['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
    const es = {
      metadata: meta,
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'metrics' }, {}],
      endpoints: [
        { addresses: ['10.42.0.5'] },
        { addresses: ['10.42.0.6', '10.42.0.7'] },
        { addresses: ['10.42.0.8'] },
      ],
    };
    expect(row(endpointSlicePrinter, es)).toEqual({
      Name: 'web',
      AddressType: 'IPv4',
      Ports: '80,metrics,*',
      Endpoints: '10.42.0.5,10.42.0.6,10.42.0.7 + 1 more...',
      Age: '26h',
    });
    expect(row(endpointSlicePrinter, { metadata: meta, addressType: 'IPv6' })).toMatchObject({
      Ports: '<unset>',
      Endpoints: '<unset>',
    });
  });
});
