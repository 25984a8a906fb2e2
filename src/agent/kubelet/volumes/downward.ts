/**
 * Content of downward API files: pod metadata fields, with maps written as sorted `key="value"` lines
 * quoted the way Go's `%q` quotes (the format upstream's kubelet writes and apps parse).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';

const SIMPLE_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** A double-quoted string literal as Go's strconv.Quote writes it. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const simple = SIMPLE_ESCAPES[ch];
    if (simple) {
      out += simple;
      continue;
    }
    if (PRINTABLE.test(ch)) {
      out += ch;
      continue;
    }
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return out + '"';
}

/** `key="value"` lines sorted by key, no trailing newline. */
export function formatMap(map: Record<string, string> | undefined): string {
  const m = map ?? {};
  return Object.keys(m)
    .sort()
    .map((k) => `${k}=${goQuote(m[k] ?? '')}`)
    .join('\n');
}

/** The value of a fieldRef in a downward API volume (metadata fields only, as upstream). */
export function volumeFieldValue(pod: Pod, fieldPath: string): string {
  const sub = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fieldPath);
  if (sub) {
    const map = (sub[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations) ?? {};
    return map[sub[2] ?? ''] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata?.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata?.annotations);
    default:
      throw new Error(`unsupported fieldPath: ${fieldPath}`);
  }
}
