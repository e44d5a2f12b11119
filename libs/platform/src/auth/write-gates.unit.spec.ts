import { WriteGates } from './write-gates';

const turns = (n: number) => new Promise<void>((resolve) => setTimeout(resolve, n));

describe('WriteGates', () => {
  it('runs the closers of one gate one at a time, in the order they came', async () => {
    const gates = new WriteGates();
    const log: string[] = [];
    const closer = (name: string) =>
      gates.closed('g', async () => {
        log.push(`${name} in`);
        await turns(5);
        log.push(`${name} out`);
      });
    await Promise.all([closer('a'), closer('b'), closer('c')]);
    expect(log).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
  });

  it('lets writes in together, runs a closer once they left, and lets the writes that came meanwhile in after it', async () => {
    const gates = new WriteGates();
    const log: string[] = [];
    let release!: () => void;
    const inside = gates.inside(['g'], () => new Promise<void>((resolve) => (release = resolve)).then(() => void log.push('first write done')));
    const second = gates.inside(['g'], async () => void log.push('second write ran'));
    await second;
    const closing = gates.closed('g', async () => void log.push('deletion ran'));
    await turns(5);
    const late = gates.inside(['g'], async () => void log.push('late write ran'));
    await turns(5);
    expect(log).toEqual(['second write ran']);
    release();
    await Promise.all([inside, closing, late]);
    expect(log).toEqual(['second write ran', 'first write done', 'deletion ran', 'late write ran']);
    expect(gates.writersOf('g')).toBe(0);
  });

  it('leaves every gate it entered when the work throws, and other gates never wait', async () => {
    const gates = new WriteGates();
    await expect(gates.inside(['a', 'b'], async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect([gates.writersOf('a'), gates.writersOf('b')]).toEqual([0, 0]);
    await expect(gates.closed('a', async () => 'ran')).resolves.toBe('ran');
    expect(gates.enter('c')).toBe(true);
  });
});
