import { forwardRef, Module } from '@nestjs/common';
import { checkModuleSettings, ReadsSettings } from './module-settings';
import { InvalidConfigurationError } from './invalid-configuration.error';
import { loadPlatformConfig } from './platform-config';

describe('checkModuleSettings', () => {
  const read: string[] = [];
  const reads = (name: string) => () => read.push(name);

  @ReadsSettings(reads('leaf'))
  @Module({})
  class LeafModule {}

  @ReadsSettings(reads('late'))
  @Module({})
  class LateModule {}

  @ReadsSettings(reads('dynamic'))
  @Module({})
  class DynamicOnesModule {}

  @Module({ imports: [LeafModule, forwardRef(() => LateModule)] })
  class MiddleModule {}

  @ReadsSettings(reads('root'))
  @Module({ imports: [MiddleModule, LeafModule, { module: DynamicOnesModule, imports: [LeafModule] }] })
  class RootModule {}

  beforeEach(() => (read.length = 0));

  it("reads every imported module's settings once: static, forward-referenced and dynamic imports", () => {
    checkModuleSettings(RootModule, loadPlatformConfig({}));
    expect(read).toEqual(['root', 'leaf', 'late', 'dynamic']);
  });

  it("throws a module's refusal before any provider is built", () => {
    @ReadsSettings((platform) => {
      throw new InvalidConfigurationError('SOME_SETTING', `is bad in ${platform.mode} mode`);
    })
    @Module({ imports: [LeafModule] })
    class RefusingModule {}

    expect(() => checkModuleSettings({ module: RootModule, imports: [RefusingModule] }, loadPlatformConfig({}))).toThrow('Invalid configuration: SOME_SETTING is bad in embedded mode');
  });
});
