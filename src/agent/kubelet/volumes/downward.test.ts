import { describe, expect, it } from 'vitest';
import { formatMap, goQuote, volumeFieldValue } from './downward.js';

describe('downward API formatting', () => {
  it('quotes like Go %q', () => {
    expect(goQuote('plain')).toBe('"plain"');
    expect(goQuote('a "b" \\ c')).toBe('"a \\"b\\" \\\\ c"');
    expect(goQuote('tab\tnl\ncr\r')).toBe('"tab\\tnl\\ncr\\r"');
    expect(goQuote('\x00\x1f\x7f')).toBe('"\\x00\\x1f\\x7f"');
    expect(goQuote('héllo 世界 🙂')).toBe('"héllo 世界 🙂"');
    expect(goQuote('\u00a0\u200b')).toBe('"\\u00a0\\u200b"');
  });

  it('writes maps as sorted key="value" lines', () => {
    expect(formatMap({ b: '2', a: '1', 'x.io/y': 'z' })).toBe('a="1"\nb="2"\nx.io/y="z"');
    expect(formatMap(undefined)).toBe('');
  });

  it('reads metadata fields only', () => {
    const pod = {
      metadata: { name: 'n', namespace: 'ns', uid: 'u', labels: { a: '1' }, annotations: { k: 'v' } },
    };
    expect(volumeFieldValue(pod, 'metadata.name')).toBe('n');
    expect(volumeFieldValue(pod, 'metadata.namespace')).toBe('ns');
    expect(volumeFieldValue(pod, 'metadata.uid')).toBe('u');
    expect(volumeFieldValue(pod, "metadata.annotations['k']")).toBe('v');
    expect(volumeFieldValue(pod, "metadata.labels['missing']")).toBe('');
    expect(() => volumeFieldValue(pod, 'spec.nodeName')).toThrow('unsupported fieldPath: spec.nodeName');
  });
});
