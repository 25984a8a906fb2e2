import { describe, expect, it } from 'vitest';
import { ago, columnNames, row } from '../testing/table.js';
import { configMapPrinter, namespacePrinter, secretPrinter, serviceAccountPrinter } from './config.js';

const meta = { name: 'x', namespace: 'default', creationTimestamp: ago({ h: 3 }) };

describe('namespace printer', () => {
  it('prints the phase', () => {
    expect(columnNames(namespacePrinter)).toEqual(['Name', 'Status', 'Age']);
    expect(row(namespacePrinter, { metadata: meta, status: { phase: 'Terminating' } })).toEqual({
      Name: 'x',
      Status: 'Terminating',
      Age: '3h',
    });
  });
});

describe('configmap printer', () => {
  it('counts data and binaryData keys', () => {
    expect(columnNames(configMapPrinter)).toEqual(['Name', 'Data', 'Age']);
    expect(
      row(configMapPrinter, { metadata: meta, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }),
    ).toEqual({
      Name: 'x',
      Data: 3,
      Age: '3h',
    });
    expect(row(configMapPrinter, { metadata: meta })['Data']).toBe(0);
  });
});

describe('secret printer', () => {
  it('counts stringData keys not yet merged into data once', () => {
    expect(
      row(secretPrinter, { metadata: meta, data: { a: '' }, stringData: { a: 'x', b: 'y' } })['Data'],
    ).toBe(2);
  });

  it('prints the type and the number of data keys', () => {
    expect(columnNames(secretPrinter)).toEqual(['Name', 'Type', 'Data', 'Age']);
    expect(
      row(secretPrinter, {
        metadata: meta,
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': '', 'tls.key': '' },
      }),
    ).toEqual({
      Name: 'x',
      Type: 'kubernetes.io/tls',
      Data: 2,
      Age: '3h',
    });
  });
});

describe('serviceaccount printer', () => {
  it('counts listed secrets', () => {
    expect(columnNames(serviceAccountPrinter)).toEqual(['Name', 'Secrets', 'Age']);
    expect(row(serviceAccountPrinter, { metadata: meta })['Secrets']).toBe(0);
    expect(row(serviceAccountPrinter, { metadata: meta, secrets: [{ name: 'x-token' }] })['Secrets']).toBe(1);
  });
});
