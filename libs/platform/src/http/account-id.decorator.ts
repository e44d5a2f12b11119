import { applyDecorators } from '@nestjs/common';
import { IsString, Matches } from 'class-validator';
import { ACCOUNT_ID_MESSAGE, ACCOUNT_ID_PATTERN } from '@as2-partners/kernel';
import { CharacterLength } from './character-length.decorator';

/**
 * An account id a gateway names in a body or query (a token for every account, `*`): spelled as an account claim may be
 * (ACCOUNT_ID_PATTERN), so every account a token may be for can be named, and no other.
 */
export function IsAccountId(): PropertyDecorator {
  return applyDecorators(
    IsString({ message: 'The account must be a string' }),
    CharacterLength(1, 128, { message: 'The account must be between 1 and 128 characters' }),
    Matches(ACCOUNT_ID_PATTERN, { message: ACCOUNT_ID_MESSAGE }),
  );
}
