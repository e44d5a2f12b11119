import { Test } from '@nestjs/testing';
import { getMetadataStorage } from 'class-validator';
import { type EventSourcingOptions, JwtVerifier, loadPlatformConfig, PLATFORM_CONFIG, RequestValidationPipe } from '@as2-partners/platform';
import { CreatePartnerDto } from '../../partner-settings/partner-settings.dto';
import { CreatePathWarmUp, WARM_UP_BODY } from './create-path-warm-up';

const config = loadPlatformConfig({ MODE: 'embedded', JWT_SECRET: 'unit-test-secret-0123456789abcdef-0123456789', DATA_DIR: '/tmp/create-path-warm-up-unused' });

describe('CreatePathWarmUp', () => {
  it('runs before ready in a module holding no store, bus or read model (it can touch none), and the first create body after it builds no compiled check', async () => {
    const jwt = JwtVerifier.fromConfig(config.jwt);
    const verified = jest.spyOn(jwt, 'warmUp');
    const module = await Test.createTestingModule({ providers: [CreatePathWarmUp, { provide: PLATFORM_CONFIG, useValue: config }, { provide: JwtVerifier, useValue: jwt }] }).compile();
    // init() is what the app's start runs before it listens (onApplicationBootstrap)
    await module.init();
    expect(verified).toHaveBeenCalledTimes(1);

    const metadatas = jest.spyOn(getMetadataStorage(), 'getTargetValidationMetadatas');
    const body = { name: 'ACME', as2_id: 'ACME-AS2', url: 'https://acme.example.com/as2' };
    const dto = await new RequestValidationPipe().transform(body, { type: 'body', metatype: CreatePartnerDto });
    expect(dto).toBeInstanceOf(CreatePartnerDto);
    // the DTO's compiled check was built by the warm-up: class-validator's metadata is not read again
    expect(metadatas).not.toHaveBeenCalled();
    await module.close();
  });

  it('validates its sample body as a client sends it and decides the reservation and the create on scratch states', async () => {
    const warmUp = new CreatePathWarmUp(config);
    await expect(warmUp.warm()).resolves.toEqual({ valid: true, events: ['partner_directory.as2_id_reserved.v1', 'partner.created.v1'] });
    // the sample is a body the pipe accepts (a refused one would warm the error path instead)
    await expect(new RequestValidationPipe().transform({ ...WARM_UP_BODY }, { type: 'body', metatype: CreatePartnerDto })).resolves.toBeInstanceOf(CreatePartnerDto);
  });

  it('does nothing in a context that starts no projections (the rebuild command, a seeding context)', async () => {
    const jwt = JwtVerifier.fromConfig(config.jwt);
    const verified = jest.spyOn(jwt, 'warmUp');
    await new CreatePathWarmUp(config, jwt, { startProjections: false } as EventSourcingOptions).onApplicationBootstrap();
    expect(verified).not.toHaveBeenCalled();
  });
});
