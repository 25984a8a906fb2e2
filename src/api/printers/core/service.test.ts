import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../meta.js';
import { ago, columnNames, row } from '../testing/table.js';
import { endpointsPrinter, servicePrinter } from './service.js';

function svc(spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', creationTimestamp: ago({ m: 10 }) },
    spec,
    status,
  };
}

describe('service printer', () => {
  it('has upstream columns', () => {
    expect(columnNames(servicePrinter)).toEqual([
      'Name',
      'Type',
      'Cluster-IP',
      'External-IP',
      'Port(s)',
      'Age',
      'Selector*',
    ]);
  });

  it('prints a ClusterIP service', () => {
    const obj = svc({
      type: 'ClusterIP',
      clusterIP: '10.43.0.10',
      clusterIPs: ['10.43.0.10'],
      ports: [
        { port: 80, protocol: 'TCP', targetPort: 8080 },
        { port: 53, protocol: 'UDP' },
      ],
      selector: { app: 'web', tier: 'front' },
    });
    expect(row(servicePrinter, obj)).toEqual({
      Name: 'web',
      Type: 'ClusterIP',
      'Cluster-IP': '10.43.0.10',
      'External-IP': '<none>',
      'Port(s)': '80/TCP,53/UDP',
      Age: '10m',
      Selector: 'app=web,tier=front',
    });
  });

  it('prints node ports and external IPs', () => {
    const obj = svc({
      type: 'NodePort',
      clusterIPs: ['10.43.0.11'],
      externalIPs: ['198.51.100.1', '198.51.100.2'],
      ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }],
    });
    expect(row(servicePrinter, obj)).toMatchObject({
      'External-IP': '198.51.100.1,198.51.100.2',
      'Port(s)': '80:30080/TCP',
      Selector: '<none>',
    });
  });

  it('prints <pending> for a load balancer without an address, then its addresses', () => {
    const spec = {
      type: 'LoadBalancer',
      clusterIPs: ['10.43.0.12'],
      ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }],
    };
    expect(row(servicePrinter, svc(spec))['External-IP']).toBe('<pending>');
    const status = {
      loadBalancer: { ingress: [{ ip: '192.0.2.9' }, { hostname: 'lb.example.com' }, { ip: '192.0.2.1' }] },
    };
    expect(row(servicePrinter, svc(spec, status))['External-IP']).toBe('192.0.2.1,192.0.2.9,lb.example.com');
    expect(row(servicePrinter, svc({ ...spec, externalIPs: ['198.51.100.7'] }, status))['External-IP']).toBe(
      '192.0.2.1,192.0.2.9,lb.example.com,198.51.100.7',
    );
  });

  it('prints headless, ExternalName and port-less services', () => {
    expect(
      row(servicePrinter, svc({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] })),
    ).toMatchObject({
      'Cluster-IP': 'None',
      'Port(s)': '<none>',
    });
    expect(row(servicePrinter, svc({ type: 'ExternalName', externalName: 'db.example.com' }))).toMatchObject({
      Type: 'ExternalName',
      'Cluster-IP': '<none>',
      'External-IP': 'db.example.com',
    });
    expect(row(servicePrinter, svc({ clusterIP: '10.43.0.13' }))).toMatchObject({
      Type: 'ClusterIP',
      'Cluster-IP': '10.43.0.13',
    });
    expect(row(servicePrinter, svc({ type: 'Weird' }))['External-IP']).toBe('<unknown>');
  });
});

describe('endpoints printer', () => {
  function ep(subsets: unknown): KubeObject {
    return {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'web', creationTimestamp: ago({ s: 59 }) },
      subsets,
    };
  }

  it('has upstream columns', () => {
    expect(columnNames(endpointsPrinter)).toEqual(['Name', 'Endpoints', 'Age']);
  });

  it('prints ip:port pairs, cut after three', () => {
    const subsets = [
      {
        addresses: [{ ip: '10.42.0.5' }, { ip: '10.42.0.6' }],
        ports: [
          { name: 'http', port: 80 },
          { name: 'https', port: 443 },
        ],
      },
    ];
    expect(row(endpointsPrinter, ep(subsets))).toEqual({
      Name: 'web',
      Endpoints: '10.42.0.5:80,10.42.0.6:80,10.42.0.5:443 + 1 more...',
      Age: '59s',
    });
  });

  it('prints bare IPs without ports, brackets IPv6 and <none> when empty', () => {
    expect(row(endpointsPrinter, ep([{ addresses: [{ ip: '10.42.0.5' }] }]))['Endpoints']).toBe('10.42.0.5');
    expect(
      row(endpointsPrinter, ep([{ addresses: [{ ip: 'fd00::5' }], ports: [{ port: 8080 }] }]))['Endpoints'],
    ).toBe('[fd00::5]:8080');
    expect(row(endpointsPrinter, ep(undefined))['Endpoints']).toBe('<none>');
    expect(row(endpointsPrinter, ep([{ ports: [{ port: 80 }] }]))['Endpoints']).toBe('');
  });
});
