import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ACCESS_LOG_LINE_MAX, accessLogFormat, accessLogShape, serviceMapText } from './access-log.js';

const sink = { write: (): void => undefined };

describe('accessLogShape', () => {
  it("repeats the agent logger's level, ISO time and bindings", () => {
    const logger = pino(
      { level: 'info', base: { pid: 42 }, timestamp: pino.stdTimeFunctions.isoTime },
      sink,
    ).child({ component: 'ingress', node: 'n1' });
    expect(accessLogShape(logger)).toEqual({
      level: 30,
      time: 'iso',
      bindings: ',"pid":42,"component":"ingress","node":"n1"',
      messageKey: 'msg',
    });
  });

  it("uses epoch milliseconds with pino's default time, and nothing when info is off", () => {
    expect(accessLogShape(pino({ level: 'info' }, sink))?.time).toBe('epoch');
    expect(accessLogShape(pino({ level: 'info', timestamp: false }, sink))?.time).toBe('none');
    expect(accessLogShape(pino({ level: 'warn' }, sink))).toBeUndefined();
  });
});

describe('accessLogFormat', () => {
  const shape = {
    level: 30,
    time: 'iso' as const,
    bindings: ',"pid":4194304,"component":"ingress","node":"node-1"',
    messageKey: 'msg',
  };

  it('writes the fields in order, escaping the request bytes and doubling literal %', () => {
    const { format } = accessLogFormat({ ...shape, bindings: ',"node":"100%"' }, '/run/gen-1/services.map');
    expect(format.startsWith('{"level":30,"time":"%[date,utime(%Y-%m-%dT%H:%M:%S)].')).toBe(true);
    expect(format).toContain(',"node":"100%%","access":true,"method":"');
    expect(format).toContain('"host":"%[var(txn.host),bytes(0,128),json(utf8s)]"');
    expect(format).toContain('"uri":"%[capture.req.uri,json(utf8s)]"');
    expect(format).toContain('"service":"%[be_name,map(/run/gen-1/services.map,)]"');
    expect(format.endsWith(',"tls":%[ssl_fc,iif(true,false)],"msg":"ingress request"}')).toBe(true);
  });

  it('cuts the URI so that the longest possible line fits in one pipe write', () => {
    const { uriBytes } = accessLogFormat(shape, '/run/gen-1/services.map');
    // The rest of a worst-case line: bindings, field names, 128 bytes of Host, every value at its widest.
    expect(uriBytes).toBeGreaterThanOrEqual(300);
    expect(uriBytes * 6).toBeLessThan(ACCESS_LOG_LINE_MAX);
    // 247 more bytes of bindings leave 247 / 6 fewer bytes for the URI.
    const longNode = accessLogFormat(
      { ...shape, bindings: shape.bindings.replace('node-1', 'n'.repeat(253)) },
      '/run/gen-1/services.map',
    );
    expect(uriBytes - longNode.uriBytes).toBeGreaterThanOrEqual(41);
    expect(uriBytes - longNode.uriBytes).toBeLessThanOrEqual(42);
  });

  it('refuses bindings that leave no room for the URI', () => {
    expect(() => accessLogFormat({ ...shape, bindings: `,"x":"${'x'.repeat(3500)}"` }, '/m')).toThrow(
      /no room/,
    );
  });

  it('maps each backend to its Service', () => {
    expect(serviceMapText([{ name: 'be_web_app_80', namespace: 'web', service: 'app', port: '80' }])).toBe(
      'be_web_app_80 web/app:80\n',
    );
  });
});
