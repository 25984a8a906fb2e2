import { afterEach, describe, expect, it } from 'vitest';
import { ShellHelper, ShellHelperTimeout, shellQuote } from './shell-helper.js';

const helpers: ShellHelper[] = [];
const newHelper = (opts?: ConstructorParameters<typeof ShellHelper>[0]): ShellHelper => {
  const h = new ShellHelper(opts);
  helpers.push(h);
  return h;
};

afterEach(() => {
  for (const h of helpers.splice(0)) h.close();
});

describe('shellQuote', () => {
  it('single-quotes, escaping quotes', () => {
    expect(shellQuote('a b')).toBe(`'a b'`);
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`);
  });
});

describe('ShellHelper', () => {
  it('runs commands and reports their exit status and output', async () => {
    const h = newHelper();
    expect(await h.run('true', [])).toEqual({ code: 0, output: '' });
    expect(await h.run('sh', ['-c', 'echo to-out; echo to-err >&2; exit 3'])).toEqual({
      code: 3,
      output: 'to-out\nto-err',
    });
  });

  it('passes arguments through unchanged (spaces, quotes, $, globs, non-ASCII)', async () => {
    const h = newHelper();
    const args = ['a b', `it's`, '$HOME', '*', '`id`', 'naïve ✓', ''];
    const res = await h.run('printf', ['%s|', ...args]);
    expect(res).toEqual({ code: 0, output: `${args.join('|')}|` });
  });

  it('answers commands in flight together, each with its own result', async () => {
    const h = newHelper();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => h.run('sh', ['-c', `echo ${i}; exit ${i % 3}`])),
    );
    results.forEach((r, i) => expect(r).toEqual({ code: i % 3, output: String(i) }));
  });

  it('reports a missing program as exit status 127', async () => {
    const h = newHelper();
    const res = await h.run('/nonexistent/k8ts-no-such-program', []);
    expect(res.code).toBe(127);
  });

  it('refuses arguments with newlines', async () => {
    const h = newHelper();
    await expect(h.run('echo', ['a\nb'])).rejects.toThrow(/newlines/);
  });

  it('times out a hung command and starts a new shell for the next one', async () => {
    const h = newHelper({ timeoutMs: 300 });
    await expect(h.run('sleep', ['5'])).rejects.toBeInstanceOf(ShellHelperTimeout);
    expect(await h.run('echo', ['again'])).toEqual({ code: 0, output: 'again' });
  });

  it('rejects when there is no shell to run', async () => {
    const h = newHelper({ shell: '/nonexistent/sh' });
    await expect(h.run('true', [])).rejects.toThrow(/shell helper/);
  });
});
