import { describe, expect, it } from 'vitest';
import type { Span } from '@threadline/shared';
import { parseZipkinSpansJson } from './zipkin-json-decoder.js';
import { SHARED_SPAN_ID_ATTRIBUTE, toSharedChildrenRepointed, toSharedChildrenRepointedJson } from './zipkin-shared-spans.js';
import { derivedSharedSpanId, toSpans } from './zipkin-to-spans.js';

const TRACE = '5af7183fb1d4cf5f5af7183fb1d4cf5f';
const CLIENT_ID = '352bff9a74ca9ad2';
const DERIVED = derivedSharedSpanId(TRACE, CLIENT_ID);

const root = { traceId: TRACE, id: '6b221d5bc9e6496c', kind: 'SERVER', timestamp: 900, duration: 900, localEndpoint: { serviceName: 'frontend' } };
const client = { traceId: TRACE, id: CLIENT_ID, parentId: root.id, kind: 'CLIENT', timestamp: 1000, duration: 500, localEndpoint: { serviceName: 'frontend' } };
const server = { ...client, kind: 'SERVER', shared: true, timestamp: 1100, duration: 300, localEndpoint: { serviceName: 'backend' } };
const serverChild = { traceId: TRACE, id: 'aaaaaaaaaaaaaaaa', parentId: CLIENT_ID, timestamp: 1150, duration: 10, localEndpoint: { serviceName: 'backend' } };
const clientSideChild = { ...serverChild, id: 'bbbbbbbbbbbbbbbb', localEndpoint: { serviceName: 'frontend' } };
const grandChild = { ...serverChild, id: 'cccccccccccccccc', parentId: serverChild.id };

/** What the store holds after these uploads, each normalized at ingest on its own. */
function ingest(...uploads: object[][]): Span[] {
  return uploads.flatMap((u) => toSpans(parseZipkinSpansJson(JSON.stringify(u))).spans);
}

const parents = (spans: readonly Span[]) => Object.fromEntries(spans.map((s) => [s.spanId, s.parentSpanId]));

const WANTED = {
  [root.id]: '',
  [CLIENT_ID]: root.id,
  [DERIVED]: CLIENT_ID,
  aaaaaaaaaaaaaaaa: DERIVED,
  bbbbbbbbbbbbbbbb: CLIENT_ID,
  cccccccccccccccc: 'aaaaaaaaaaaaaaaa',
};

describe('toSharedChildrenRepointed', () => {
  it('gives the same tree however the spans were split into uploads and in whatever order', () => {
    const all = [root, client, server, serverChild, clientSideChild, grandChild];
    const splits: object[][][] = [
      [all],
      // zipkin-go: children finish and flush first, the shared server span comes later.
      [[serverChild, grandChild], [server], [clientSideChild, client, root]],
      [[grandChild], [clientSideChild], [serverChild], [root, client], [server]],
      [[server, root], [client, clientSideChild, grandChild, serverChild]],
    ];
    for (const uploads of splits) {
      expect(parents(toSharedChildrenRepointed(ingest(...uploads)))).toEqual(WANTED);
    }
  });

  it('leaves a child one level too high at ingest when its shared parent comes later (what the read fixes)', () => {
    expect(parents(ingest([serverChild], [server])).aaaaaaaaaaaaaaaa).toBe(CLIENT_ID);
  });

  it('does not touch its input and returns the unchanged spans themselves', () => {
    const stored = ingest([serverChild], [server], [client]);
    const before = structuredClone(stored);
    const out = toSharedChildrenRepointed(stored);
    expect(stored).toEqual(before);
    expect(out.find((s) => s.spanId === CLIENT_ID)).toBe(stored.find((s) => s.spanId === CLIENT_ID));
  });

  it('only follows spans marked shared by ingest: a copied attribute that is not the parent ID does nothing', () => {
    const [s] = ingest([server]);
    const fake = { ...s!, spanId: 'dddddddddddddddd', parentSpanId: 'eeeeeeeeeeeeeeee' };
    const stored = [fake, ...ingest([serverChild])];
    expect(parents(toSharedChildrenRepointed(stored)).aaaaaaaaaaaaaaaa).toBe(CLIENT_ID);
  });

  it('keeps shared spans of two traces apart', () => {
    const other = TRACE.replace(/^5/, '6');
    const stored = ingest([serverChild, { ...serverChild, traceId: other }], [server]);
    const out = toSharedChildrenRepointed(stored);
    expect(out.filter((s) => s.spanId === 'aaaaaaaaaaaaaaaa').map((s) => s.parentSpanId)).toEqual([DERIVED, CLIENT_ID]);
  });
});

describe('toSharedChildrenRepointedJson', () => {
  it('returns text without shared spans as it is', () => {
    const text = JSON.stringify(ingest([root, client]));
    expect(toSharedChildrenRepointedJson(text)).toBe(text);
    expect(toSharedChildrenRepointedJson('[]')).toBe('[]');
  });

  it('returns the text as it is when the tree is already right', () => {
    const text = JSON.stringify(ingest([server, serverChild]));
    expect(text).toContain(SHARED_SPAN_ID_ATTRIBUTE);
    expect(toSharedChildrenRepointedJson(text)).toBe(text);
  });

  it('re-points children that came before their shared parent, keeping every other byte of meaning', () => {
    const stored = ingest([serverChild, grandChild], [server]);
    const out = JSON.parse(toSharedChildrenRepointedJson(JSON.stringify(stored))) as Span[];
    expect(out).toEqual(toSharedChildrenRepointed(stored));
    expect(parents(out).aaaaaaaaaaaaaaaa).toBe(DERIVED);
  });
});
