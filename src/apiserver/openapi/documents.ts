/**
 * The published OpenAPI documents as bytes, each built on first use and kept: `/openapi/v2` as
 * JSON and as gnostic protobuf, every `/openapi/v3/<key>` document, and the v3 discovery document
 * that lists them with their hashes. Only the serialised bytes are cached, never the object trees.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { DefinitionRegistry } from '../../api/schema/registry.js';
import { definitions } from '../../api/types/index.js';
import { encodeGnosticParts } from './gnostic.js';
import { apiPaths } from './paths.js';
import type { Json } from './schemas.js';
import { serializeV2Json, v2Definitions, v2Head, v2Paths } from './v2.js';
import { buildV3Document, groupPathsByDocument } from './v3.js';

/** Responses larger than this are sent gzip-compressed to clients that accept it (as upstream does). */
export const GZIP_THRESHOLD = 128 * 1024;

/** One serialised document. */
export class CachedDocument {
  /** Upper-case hex SHA-512 of the bytes: the ETag (quoted) and the v3 `hash` parameter. */
  readonly hash: string;
  private gz: Buffer | undefined;

  constructor(readonly bytes: Buffer) {
    this.hash = createHash('sha512').update(bytes).digest('hex').toUpperCase();
  }

  /** The bytes gzip-compressed, computed on first use. */
  gzipped(): Buffer {
    this.gz ??= gzipSync(this.bytes);
    return this.gz;
  }
}

/** How long building a document took and how big it is, for logs and benchmarks. */
export interface BuildStats {
  document: string;
  bytes: number;
  ms: number;
}

export class OpenApiDocuments {
  private v2JsonDoc: CachedDocument | undefined;
  private v2ProtoDoc: CachedDocument | undefined;
  private v3Docs: Map<string, CachedDocument> | undefined;
  private v3RootDoc: CachedDocument | undefined;
  /** When the documents' content was fixed: the Last-Modified of every response. */
  readonly lastModified: Date;

  constructor(
    private readonly registry: DefinitionRegistry = definitions,
    private readonly onBuild?: (stats: BuildStats) => void,
    now: Date = new Date(),
  ) {
    this.lastModified = new Date(Math.floor(now.getTime() / 1000) * 1000);
  }

  private timed<T>(document: string, build: () => T, size: (t: T) => number): T {
    const started = performance.now();
    const out = build();
    this.onBuild?.({ document, bytes: size(out), ms: Math.round((performance.now() - started) * 10) / 10 });
    return out;
  }

  /** `/openapi/v2` as JSON. */
  v2Json(): CachedDocument {
    this.v2JsonDoc ??= this.timed(
      'v2 json',
      () => new CachedDocument(serializeV2Json(this.registry, apiPaths())),
      (d) => d.bytes.length,
    );
    return this.v2JsonDoc;
  }

  /** `/openapi/v2` as gnostic protobuf. */
  v2Proto(): CachedDocument {
    this.v2ProtoDoc ??= this.timed(
      'v2 protobuf',
      () => {
        const { paths, parameters } = v2Paths(apiPaths());
        const pb = encodeGnosticParts({
          head: { ...v2Head(), parameters },
          paths: Object.entries(paths) as [string, Json][],
          definitions: v2Definitions(this.registry),
        });
        return new CachedDocument(Buffer.from(pb.buffer, pb.byteOffset, pb.byteLength));
      },
      (d) => d.bytes.length,
    );
    return this.v2ProtoDoc;
  }

  private v3All(): Map<string, CachedDocument> {
    this.v3Docs ??= this.timed(
      'v3 documents',
      () => {
        const out = new Map<string, CachedDocument>();
        // One document at a time: only its serialised bytes outlive the loop iteration.
        for (const [key, paths] of groupPathsByDocument(apiPaths()))
          out.set(
            key,
            new CachedDocument(Buffer.from(JSON.stringify(buildV3Document(this.registry, paths)))),
          );
        return out;
      },
      (m) => [...m.values()].reduce((n, d) => n + d.bytes.length, 0),
    );
    return this.v3Docs;
  }

  /** One `/openapi/v3/<key>` document, or undefined when no such document is served. */
  v3(key: string): CachedDocument | undefined {
    return this.v3All().get(key);
  }

  /** `/openapi/v3`: every document's key with its hash-pinned URL. */
  v3Root(): CachedDocument {
    if (!this.v3RootDoc) {
      const paths: Record<string, { serverRelativeURL: string }> = {};
      for (const [key, doc] of this.v3All()) paths[key] = { serverRelativeURL: v3Url(key, doc.hash) };
      this.v3RootDoc = new CachedDocument(Buffer.from(JSON.stringify({ paths })));
    }
    return this.v3RootDoc;
  }
}

/** The server-relative URL of a v3 document pinned to its hash. */
export function v3Url(key: string, hash: string): string {
  return `/openapi/v3/${key}?hash=${hash}`;
}
