import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { peekMdnOriginalMessageId } from '@as2-partners/as2';
import { Public } from '@as2-partners/platform';
import { AsyncMdnWaiters } from '../../test-runs/async-mdn-waiters';
import { MDN_RECEIVED } from '../../api-conventions/connection-tester.openapi';

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
  @ApiResponse({ status: 200, description: 'Acknowledged (whether or not the body was an MDN of a test)', schema: MDN_RECEIVED })
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
