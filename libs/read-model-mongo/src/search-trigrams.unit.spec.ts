import { escapeRegex } from '@as2-partners/kernel';
import { SEARCH_TRIGRAMS_FIELD, trigramsOfDocument, withSearchTrigrams } from './search-trigrams';

const search = { fields: ['settings.name', 'as2Id'], scope: ['account', 'tenant'] };
const pattern = (text: string) => ({ $regex: escapeRegex(text), $options: 'i' });

describe('search trigrams', () => {
  it('takes every string of the searched fields, through arrays, and nothing else', () => {
    const grams = trigramsOfDocument({ as2Id: 'AB1', settings: [{ name: 'Xyz' }, { name: 42 }], other: 'ignored' }, search);
    expect(grams.sort()).toEqual(['ab1', 'xyz']);
  });

  it('adds the trigrams a searched text needs beside the search, which stays', () => {
    const filter = { $and: [{ account: 'a' }, { tenant: 't' }, { $or: [{ 'settings.name': pattern('Ac.me') }, { as2Id: pattern('Ac.me') }] }] };
    expect(withSearchTrigrams(filter, search)).toEqual({ $and: [filter, { [SEARCH_TRIGRAMS_FIELD]: { $all: ['ac.', 'c.m', '.me'] } }] });
  });

  it('leaves a filter alone without a declared search, for undeclared fields, short or non-ASCII texts and patterns', () => {
    const on = (field: string, condition: unknown) => ({ account: 'a', [field]: condition });
    expect(withSearchTrigrams(on('as2Id', pattern('acme')), null)).toEqual(on('as2Id', pattern('acme')));
    expect(withSearchTrigrams(on('email', pattern('acme')), search)).toEqual(on('email', pattern('acme')));
    expect(withSearchTrigrams(on('as2Id', pattern('ac')), search)).toEqual(on('as2Id', pattern('ac')));
    expect(withSearchTrigrams(on('as2Id', pattern('zür')), search)).toEqual(on('as2Id', pattern('zür')));
    expect(withSearchTrigrams(on('as2Id', { $regex: '^acme', $options: 'i' }), search)).toEqual(on('as2Id', { $regex: '^acme', $options: 'i' }));
  });
});
