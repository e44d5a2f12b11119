import { runInNewContext } from 'node:vm';
import { derToPem, pemBlocks, pemBlocksToDer } from './pem';

/** What a lazy regular expression over the whole text finds: the reading pemBlocks keeps, in far less time. */
function blocksByPattern(text: string): Array<{ label: string; text: string; body: string }> {
  return [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)].map((m) => ({ label: m[1], text: m[0], body: m[2] }));
}

describe('PEM blocks', () => {
  const certificate = derToPem(Buffer.from('certificate bytes'));
  const key = derToPem(Buffer.from('key bytes'), 'PRIVATE KEY');

  it('reads each block with its label, its whole text and its body, in order, whatever lies around them', () => {
    const text = `Bag Attributes\n${certificate}junk -----END CERTIFICATE----- \n${key}trailing`;
    expect(pemBlocks(text).map((block) => block.label)).toEqual(['CERTIFICATE', 'PRIVATE KEY']);
    expect(pemBlocks(text)[1].text).toBe(key.trimEnd());
    expect(pemBlocksToDer(text)).toEqual([Buffer.from('certificate bytes')]);
    expect(pemBlocksToDer(text, 'PRIVATE KEY')).toEqual([Buffer.from('key bytes')]);
  });

  it('ends a block at the first END line of its own label, and skips BEGIN lines that have none', () => {
    const cases = [
      '-----BEGIN A-----x-----END B-----y-----END A-----',
      '-----BEGIN A-----x-----BEGIN A-----y-----END A-----z-----END A-----',
      '-----BEGIN A-----x-----BEGIN B-----y-----END B-----',
      '-----BEGIN a-----x-----END a----- -----BEGIN A1 B-----q-----END A1 B-----',
      '-----BEGIN -----x-----END -----',
      '-----BEGIN A----x-----END A-----',
      '-----BEGIN A-----x-----END A----',
      '------BEGIN A------x-----END A------',
      '-----END A----------BEGIN A-----x-----END A-----',
      `${certificate}${certificate.replace('-----END CERTIFICATE-----', '')}${key}`,
    ];
    for (const text of cases) expect(pemBlocks(text)).toEqual(blocksByPattern(text));
  });

  it('reads random mixtures of BEGIN and END lines as the lazy pattern does', () => {
    const parts = ['-----BEGIN A-----', '-----END A-----', '-----BEGIN B C-----', '-----END B C-----', '-----BEGIN ', '-----END ', 'A', '-', 'x\n', '-----'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let round = 0; round < 2_000; round++) {
      const text = Array.from({ length: 1 + (next() % 12) }, () => parts[next() % parts.length]).join('');
      expect(pemBlocks(text)).toEqual(blocksByPattern(text));
    }
  });

  it('reads a text of many BEGIN lines without their END in one pass (a lazy pattern searched the rest of the text from each: minutes for this one)', () => {
    const text = '-----BEGIN CERTIFICATE-----\n'.repeat(80_000) + `${'-----BEGIN X1-----'.repeat(20_000)}${key}`;
    // Run under a watchdog that interrupts the thread: a reading that takes minutes fails here instead of passing late.
    const read = (expression: string) => runInNewContext(expression, { pemBlocks, pemBlocksToDer, text }, { timeout: 20_000 });
    expect(read('pemBlocksToDer(text)')).toEqual([]);
    expect(read('pemBlocks(text).map((block) => block.label)')).toEqual(['PRIVATE KEY']);
  });
});
