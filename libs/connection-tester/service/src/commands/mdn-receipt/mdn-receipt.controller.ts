import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { peekMdnOriginalMessageId } from '@as2-partners/as2';
import { Public } from '@as2-partners/platform';
import { AsyncMdnWaiters } from '../../test-runs/async-mdn-waiters';

interface RawRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
}

/**
 * The public receipt route async-MDN partners POST to (`CONNECTION_TEST_RECEIPT_URL`). It only hands an MDN to the
 * test waiting for it; the test verifies it. Anything else gets the same 200, so the route tells nothing.
 */
@ApiTags('partner testing')
@Controller('v1/connection-tests/mdn')
export class MdnReceiptController {
  constructor(private readonly waiters: AsyncMdnWaiters) {}

  @Post()
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Receives asynchronous MDNs of connection tests (AS2 partners post here)' })
  receive(@Req() request: RawRequest) {
    const body = Buffer.isBuffer(request.body) ? request.body : null;
    if (body) {
      try {
        this.waiters.deliver(peekMdnOriginalMessageId(request.headers, body), { headers: request.headers, body });
      } catch {
        // Not an MDN: acknowledged like any other, so the route cannot be probed.
      }
    }
    return { received: true };
  }
}
