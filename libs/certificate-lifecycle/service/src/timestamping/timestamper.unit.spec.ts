import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidConfigurationError, startupFailureText } from '@as2-partners/platform';
import { certificateLifecycleConfigFrom } from '../config/certificate-lifecycle.config';
import { openTimestamper } from './timestamper';

describe('openTimestamper: the bundled TSA', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'timestamper-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes its identity in an empty TSA_DIR, and stamps with it', async () => {
    const timestamper = await openTimestamper(certificateLifecycleConfigFrom({ TSA_DIR: join(dir, 'tsa') }, dir, 'distributed'));
    try {
      expect((await timestamper.stamp('document')).timestampToken.length).toBeGreaterThan(0);
    } finally {
      await timestamper.close();
    }
  });

  it('stops the start naming TSA_DIR when it holds no identity and cannot take one (not DATA_DIR, not a stack)', async () => {
    writeFileSync(join(dir, 'a-file'), '');
    const tsaDir = join(dir, 'a-file', 'tsa');
    const opening = openTimestamper(certificateLifecycleConfigFrom({ TSA_DIR: tsaDir }, dir, 'distributed'));
    await expect(opening).rejects.toBeInstanceOf(InvalidConfigurationError);
    const line = startupFailureText(await opening.catch((error: unknown) => error));
    expect(line).toMatch(new RegExp(`^Invalid configuration: TSA_DIR \\(${tsaDir.replace(/[/.]/g, '\\$&')}\\) holds no TSA identity .* \\(ENOTDIR\\): .*set TSA_URL to your own TSA$`));
  });
});
