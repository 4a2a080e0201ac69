import { describe, expect, it } from 'vitest';
import { parseAttributes } from '../model/span-json';
import { AttributeInterner } from './attribute-interner';

const raw = [
  { key: 'rpc.system', value: { stringValue: 'grpc' } },
  { key: 'net.peer.port', value: { intValue: '9090' } },
  { key: 'cache.hit', value: { boolValue: true } },
  { key: 'ratio', value: { doubleValue: 0.5 } },
  { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }] } } },
  { key: 'sql', value: { stringValue: 'x'.repeat(500) } },
];

describe('AttributeInterner', () => {
  it('decodes exactly as parseAttributes does', () => {
    expect(new AttributeInterner().list(raw, '$')).toEqual(parseAttributes(raw, '$'));
  });

  it('shares equal short scalar attributes across lists, and nothing else', () => {
    const interner = new AttributeInterner();
    const a = interner.list(raw, '$.a');
    const b = interner.list(JSON.parse(JSON.stringify(raw)), '$.b');
    expect(a.map((kv, i) => kv === b[i])).toEqual([true, true, true, false, false, false]);
    // A number and a decimal string are the same int64; a different key or type is not the same attribute.
    expect(interner.list([{ key: 'net.peer.port', value: { intValue: 9090 } }], '$.c')[0]).toBe(a[1]);
    expect(interner.list([{ key: 'net.peer.port', value: { stringValue: '9090' } }], '$.d')[0]).not.toBe(a[1]);
    expect(interner.list([{ key: 'rpc.system2', value: { stringValue: 'grpc' } }], '$.e')[0]).not.toBe(a[0]);
  });

  it('reports a bad shape with its path, like parseAttributes', () => {
    expect(() => new AttributeInterner().list([{ key: 3, value: { stringValue: 'x' } }], '$.spans[0][10]')).toThrow(/\$\.spans\[0\]\[10\]\[0\]\.key/);
  });

  it('gives every empty list as one frozen list, so that no span can add to another\'s', () => {
    const interner = new AttributeInterner();
    const a = interner.list([], '$.a');
    expect(interner.list(undefined, '$.b')).toBe(a);
    expect(a).toEqual([]);
    expect(Object.isFrozen(a)).toBe(true);
  });
});
