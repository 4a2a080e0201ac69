import { describe, expect, it } from 'vitest';
import { AppError } from '../../app-error.js';
import { parseV1Search, parseV1Tags } from './v1-params.js';

const parse = (qs: string) => parseV1Search(new URLSearchParams(qs));

describe('parseV1Search', () => {
  it('parses every parameter, times in nanoseconds', () => {
    expect(
      parse(
        'service=api&operation=GET+%2Forders&tags=http.method=GET,peer=db&tag=q=a%3Db,c&start=1712345678901234567&end=1712345679901234567&minDuration=1.5ms&maxDuration=2s&errorsOnly=true&limit=7',
      ),
    ).toEqual({
      errorsOnly: true,
      query: {
        service: 'api',
        operation: 'GET /orders',
        tags: [
          { key: 'http.method', value: 'GET' },
          { key: 'peer', value: 'db' },
          { key: 'q', value: 'a=b,c' },
        ],
        startNs: 1712345678901234567n,
        endNs: 1712345679901234567n,
        minDurationNs: 1_500_000n,
        maxDurationNs: 2_000_000_000n,
        limit: 7,
      },
    });
  });

  it('defaults to everything, limit 20', () => {
    expect(parse('')).toEqual({ errorsOnly: false, query: { tags: [], limit: 20 } });
    expect(parse('errorsOnly=false&tags=&service=').query).toEqual({ tags: [], limit: 20 });
    expect(parse('limit=9999').query.limit).toBe(1500);
  });

  it.each([
    ['start=1.5', 'invalid start "1.5": expected Unix nanoseconds'],
    ['end=9223372036854775808', 'invalid end "9223372036854775808": expected Unix nanoseconds'],
    ['start=20&end=10', 'end must not be before start'],
    ['minDuration=5', 'invalid minDuration "5": missing unit; expected a Go duration like 1.2s or 300ms'],
    ['errorsOnly=yes', 'invalid errorsOnly "yes": expected true or false'],
    ['tags=novalue', 'invalid tag "novalue": expected key=value'],
    ['tag==v', 'invalid tag "=v": expected key=value'],
    ['limit=1e3', 'invalid limit "1e3": expected a positive integer'],
  ])('%s → 400 %j', (qs, message) => {
    let caught: unknown;
    try {
      parse(qs);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).toMatchObject({ status: 400, message });
  });
});

describe('parseV1Tags', () => {
  it('keeps everything after the first = as the value, and skips empty list items', () => {
    expect(parseV1Tags(['a=1,,b=x=y,'], ['url=http://h/?p=1'])).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: 'x=y' },
      { key: 'url', value: 'http://h/?p=1' },
    ]);
  });
});
