import { applyDecorators, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { ANSWERS_NOT_KEPT_EXTENSION } from '../http/openapi/complete-openapi-document';

const ANSWERS_NOT_KEPT = 'as2:answers-not-kept';

/**
 * A route whose answers are never kept for an Idempotency-Key: an operation that changes nothing and whose answer must
 * not be stored, such as the keystore's decrypt (its answer is the plaintext, or a content key). The header is not read
 * there: each call is answered anew, as the traffic decisions are; its OpenAPI operation says nothing of the header.
 */
export const AnswersNotKept = (): MethodDecorator => applyDecorators(SetMetadata(ANSWERS_NOT_KEPT, true), ApiExtension(ANSWERS_NOT_KEPT_EXTENSION, true));

export function answersNotKept(execution: ExecutionContext): boolean {
  return Reflect.getMetadata(ANSWERS_NOT_KEPT, execution.getHandler()) === true;
}
