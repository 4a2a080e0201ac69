import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config.js';
import { exposureWarnings } from './exposure-warnings.js';

describe('exposureWarnings', () => {
  it('says nothing on loopback', () => {
    expect(exposureWarnings(defaultConfig())).toEqual([]);
    expect(exposureWarnings({ ...defaultConfig(), host: '::1' })).toEqual([]);
  });

  it('warns on 0.0.0.0 for each missing token and for clear text', () => {
    const open = exposureWarnings({ ...defaultConfig(), host: '0.0.0.0' });
    expect(open).toHaveLength(3);
    expect(open[0]).toMatch(/without --ingest-token/);
    expect(open[1]).toMatch(/without --ui-token/);
    expect(open[2]).toMatch(/--tls-cert/);
    expect(exposureWarnings({ ...defaultConfig(), host: '0.0.0.0', ingestTokenFile: '/f', uiToken: 'x'.repeat(16), tlsCert: 'c', tlsKey: 'k' })).toEqual([]);
  });
});
