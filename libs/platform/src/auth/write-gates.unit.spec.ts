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
    expect([gates.enter('g'), gates.enter('g')]).toEqual([true, true]);
    const closing = gates.closed('g', async () => void log.push('deletion ran'));
    await turns(5);
    const late = gates.enter('g');
    expect(late).toBeInstanceOf(Promise);
    void (late as Promise<void>).then(() => log.push('late write entered'));
    gates.leave('g');
    await turns(5);
    expect(log).toEqual([]);
    gates.leave('g');
    await closing;
    await late;
    expect(log).toEqual(['deletion ran', 'late write entered']);
    expect(gates.writersOf('g')).toBe(1);
    gates.leave('g');
    expect(gates.writersOf('g')).toBe(0);
  });

  it('reopens a gate whose closer threw, and other gates never wait', async () => {
    const gates = new WriteGates();
    await expect(gates.closed('a', async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(gates.enter('a')).toBe(true);
    gates.leave('a');
    await expect(gates.closed('a', async () => 'ran')).resolves.toBe('ran');
    expect(gates.enter('c')).toBe(true);
  });
});
