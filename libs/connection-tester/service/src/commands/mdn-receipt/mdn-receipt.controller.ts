import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { DomainError } from '@as2-partners/kernel';
import { AnswersNotKept, Public, TakesMediaTypes } from '@as2-partners/platform';
import { AsyncMdnReceipts } from '../../test-runs/async-mdn-receipts';
import { MDN_RECEIVED } from '../../api-conventions/connection-tester.openapi';

interface RawRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
}

/**
 * The public receipt route async-MDN partners POST to (`CONNECTION_TEST_RECEIPT_URL`), on any replica: it stores an MDN
 * for a message a test is waiting for, from the partner it went to, and the test verifies it. Everything else is
 * refused with one answer, whether the message is unknown, finished, another partner's or answered already.
 */
@ApiTags('partner testing')
@Controller('v1/connection-tests/mdn')
export class MdnReceiptController {
  constructor(private readonly receipts: AsyncMdnReceipts) {}

  @Post()
  @Public()
  // A partner's MDN, answered anew each time (a repeat is MDN_NOT_EXPECTED: answered already): no caller to keep a key for.
  @AnswersNotKept()
  @TakesMediaTypes('an MDN: multipart/report, or multipart/signed around one')
  @HttpCode(200)
  @ApiOperation({ summary: 'Receives asynchronous MDNs of connection tests (AS2 partners post here)' })
  @ApiResponse({ status: 200, description: 'The MDN a waiting test expected', schema: MDN_RECEIVED })
  @ApiResponse({ status: 422, description: 'INVALID_MDN: the body is not an MDN (multipart/report, or multipart/signed around one); MDN_NOT_EXPECTED: no test is waiting for an MDN of this message from this partner' })
  @ApiResponse({ status: 415, description: 'UNSUPPORTED_MEDIA_TYPE: a body neither multipart (an MDN) nor JSON (refused INVALID_MDN), such as text/plain or a bare application/pkcs7-mime' })
  async receive(@Req() request: RawRequest) {
    const body = Buffer.isBuffer(request.body) ? request.body : null;
    const outcome = body ? await this.receipts.receive({ headers: request.headers, body }) : 'not-an-mdn';
    if (outcome === 'not-an-mdn') throw new DomainError('INVALID_MDN', 'The body is not an MDN (multipart/report, or multipart/signed around one)');
    if (outcome === 'not-expected') throw new DomainError('MDN_NOT_EXPECTED', 'No connection test is waiting for this MDN');
    return { received: true };
  }
}
