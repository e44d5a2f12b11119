import { parseCliArguments } from './cli-arguments';

describe('parseCliArguments', () => {
  it('defaults to 127.0.0.1:3180 and tools/.local/tsa', () => {
    expect(parseCliArguments([])).toEqual({ port: 3180, host: '127.0.0.1', dir: 'tools/.local/tsa' });
  });

  it('takes port, host and dir', () => {
    expect(parseCliArguments(['--port', '0', '--host', '::1', '--dir', '/tmp/x'])).toEqual({ port: 0, host: '::1', dir: '/tmp/x' });
  });

  it.each([['--port', 'abc'], ['--port', '70000'], ['--dir', ''], ['--unknown', 'x']])('refuses %s %j', (flag, value) => {
    expect(() => parseCliArguments([flag, value])).toThrow();
  });
});
