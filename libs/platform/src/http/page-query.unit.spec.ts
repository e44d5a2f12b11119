import { PageQueryDto } from './page-query.dto';
import { RequestValidationPipe } from './request-validation.pipe';
import { ValidationFailedException } from './validation-failed.exception';

const pipe = new RequestValidationPipe();
const read = (query: Record<string, unknown>) => pipe.transform(query, { type: 'query', metatype: PageQueryDto }) as Promise<PageQueryDto>;

describe('page and per_page of a list', () => {
  it('reads decimal digits as the integer they spell', async () => {
    expect(await read({ page: '2', per_page: '100' })).toEqual(Object.assign(new PageQueryDto(), { page: 2, per_page: 100 }));
    expect(await read({})).toEqual(new PageQueryDto());
    // Leading zeros spell the same integer, however many there are (17 digits of which 16 zeros is 2, not too large).
    expect(await read({ page: '00000000000000002', per_page: '0000000000000000000000000000100' })).toEqual(Object.assign(new PageQueryDto(), { page: 2, per_page: 100 }));
  });

  it.each(['0x10', '0b11', '0o7', '1e1', '+5', ' 10', '10 ', '', '1.0', '٣', ['1', '2']])('refuses per_page=%j, which Number() would have read', async (perPage) => {
    const error = await read({ per_page: perPage }).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ValidationFailedException);
  });
});

describe('page and per_page refused with the one message that says why', () => {
  const errorsOf = (query: Record<string, unknown>) =>
    read(query).then(
      () => ({}),
      (thrown: ValidationFailedException) => thrown.errors,
    );

  it.each([
    [{ page: '-1' }, { page: ['The page must be at least 1'] }],
    [{ page: '0' }, { page: ['The page must be at least 1'] }],
    [{ page: 'abc' }, { page: ['The page must be an integer'] }],
    [{ page: '1000001' }, { page: ['The page may not be greater than 1000000'] }],
    [{ per_page: '1.5' }, { per_page: ['The per page must be an integer'] }],
    [{ per_page: '101' }, { per_page: ['The per page may not be greater than 100'] }],
    [{ page: '99999999999999999999' }, { page: ['The page may not be greater than 1000000'] }],
    [{ page: '-99999999999999999999' }, { page: ['The page must be at least 1'] }],
    [{ page: '000000000000000000000' }, { page: ['The page must be at least 1'] }],
    [{ page: '000000000000000001000001' }, { page: ['The page may not be greater than 1000000'] }],
  ])('%j', async (query, errors) => {
    expect(await errorsOf(query)).toEqual(errors);
  });
});
