import { isPartialUpdateDto, namesAnyField, PartialUpdate } from './partial-update.decorator';

describe('@PartialUpdate()', () => {
  it('marks a DTO class and the classes that extend it', () => {
    @PartialUpdate()
    class UpdateThing {}
    class UpdateSpecialThing extends UpdateThing {}
    class CreateThing {}
    expect(isPartialUpdateDto(UpdateThing)).toBe(true);
    expect(isPartialUpdateDto(UpdateSpecialThing)).toBe(true);
    expect(isPartialUpdateDto(CreateThing)).toBe(false);
    expect(isPartialUpdateDto(undefined)).toBe(false);
  });

  it.each([{}, { mdn: {} }, { mdn: {}, connection: { retry: {} } }, { name: undefined }])('finds no field given in %j', (body) => expect(namesAnyField(body)).toBe(false));

  it.each([{ name: 'x' }, { email: null }, { list: [] }, { mdn: { signed: false } }, { active: false }, { n: 0 }])('finds a field given in %j', (body) =>
    expect(namesAnyField(body)).toBe(true),
  );
});
