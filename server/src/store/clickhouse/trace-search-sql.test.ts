import { describe, expect, it } from 'vitest';
import { buildFindTraceIdsSql, spanFilterSql } from './trace-search-sql.js';

describe('buildFindTraceIdsSql', () => {
  it('binds every value as a parameter, never in the SQL text', () => {
    const evil = "x' OR 1=1 --";
    const { sql, params } = buildFindTraceIdsSql('db.spans', {
      service: evil,
      operation: evil,
      tags: [{ key: evil, value: evil }],
      startNs: 5n,
      endNs: 10n,
      minDurationNs: 7n,
      maxDurationNs: 9n,
      limit: 20,
    });
    expect(sql).not.toContain(evil);
    expect(sql).not.toContain("'");
    expect(Object.values(params)).toEqual([evil, evil, '5', '10', '7', '9', evil, evil, 20]);
    expect(sql).toMatch(/GROUP BY trace_id ORDER BY max\(start_ns\) DESC, trace_id DESC LIMIT \{limit:UInt32\}/);
  });

  it('matches a tag as one key/value pair of the span, on the indexed prefix', () => {
    const params = {};
    const [term] = spanFilterSql({ tags: [{ key: 'k', value: 'v'.repeat(300) }] }, params);
    expect(term).toBe('has(tag_values, {p1:String}) AND arrayExists((k, v) -> k = {p0:String} AND v = {p1:String}, tag_keys, tag_values)');
    expect(params).toEqual({ p0: 'k', p1: 'v'.repeat(256) });
  });

  it('leaves out filters that are absent and clamps bounds beyond int64', () => {
    const params = {};
    expect(spanFilterSql({ minDurationNs: 0n, maxDurationNs: 2n ** 70n }, params)).toEqual(['duration_ns <= {p0:Int64}']);
    expect(params).toEqual({ p0: String(2n ** 63n - 1n) });
  });
});
