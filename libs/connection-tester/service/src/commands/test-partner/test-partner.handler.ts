import { Injectable } from '@nestjs/common';
import { ConnectionTesterErrorCode } from '@as2-partners/connection-tester-domain';
import { DomainError } from '@as2-partners/kernel';
import { AfterWrite, requestMetadata, requireTenant, type RequestContext } from '@as2-partners/platform';
import { TestedPartnerAccess } from '../../partner-access/tested-partner-access';
import { TestRunner, type TestRun } from '../../test-runs/test-runner';
import type { TestPartnerDto } from './test-partner.dto';

/** POST /v1/partners/{id}/test: the caller's tenant tests one of its partners (or an inherited master partner). */
@Injectable()
export class TestPartnerHandler {
  constructor(
    private readonly access: TestedPartnerAccess,
    private readonly runner: TestRunner,
  ) {}

  async test(ctx: RequestContext, partnerId: string, body: TestPartnerDto): Promise<AfterWrite<TestRun>> {
    const tenant = requireTenant(ctx);
    const partner = await this.access.resolve(ctx, tenant, partnerId);
    if (body.test_type === 'full' && body.acknowledge_payload_delivery !== true) {
      throw new DomainError(
        ConnectionTesterErrorCode.PayloadDeliveryNotAcknowledged,
        "A full test delivers a real (tiny, plainly labelled) file to the partner's back end, since AS2 has no test flag: send acknowledge_payload_delivery: true",
        'acknowledge_payload_delivery',
      );
    }
    const run = await this.runner.run({
      account: ctx.caller.account,
      tenant,
      partner,
      testType: body.test_type,
      ...(body.as2_instance_id !== undefined ? { instanceId: body.as2_instance_id } : {}),
      certificates: body.certificates ?? 'current',
      trigger: 'manual',
      metadataAt: (now) => requestMetadata(ctx, tenant, now),
      ...(ctx.commandId === undefined ? {} : { commandId: ctx.commandId }),
    });
    // A manual run always reserves (only monitoring slots can be taken by another replica).
    if (!run) throw new Error('A manual test was not reserved');
    return new AfterWrite(run.position, () => run);
  }
}
