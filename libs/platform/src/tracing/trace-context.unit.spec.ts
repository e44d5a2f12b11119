import { continueTrace, parseTraceparent } from './trace-context';

const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('W3C trace context', () => {
  it("continues the caller's trace with a new span of its own, keeping its flags and tracestate", () => {
    const trace = continueTrace(PARENT, 'congo=t61rcWkgMzE');
    expect(trace).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7', flags: '01', tracestate: 'congo=t61rcWkgMzE' });
    expect(trace.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(trace.spanId).not.toBe('00f067aa0ba902b7');
    expect(trace.traceparent).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${trace.spanId}-01`);
  });

  it.each([
    ['missing', undefined],
    ['garbage', 'not-a-traceparent'],
    ['all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['all-zero parent id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['version 00 with extra fields', `${PARENT}-extra`],
  ])('starts a new trace when the traceparent is %s', (_label, header) => {
    expect(parseTraceparent(header)).toBeNull();
    const trace = continueTrace(header, 'ignored=1');
    expect(trace.parentId).toBeNull();
    expect(trace.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(trace.tracestate).toBeUndefined();
  });

  it('accepts a later version with more fields, and upper case, as the spec asks', () => {
    expect(parseTraceparent(`01-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-00-more`)).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7', flags: '00' });
  });

  it('drops a tracestate that is too long or not printable', () => {
    expect(continueTrace(PARENT, 'x'.repeat(513)).tracestate).toBeUndefined();
    expect(continueTrace(PARENT, 'a=\u0000').tracestate).toBeUndefined();
  });
});
