import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { TestPartnerDto } from './test-partner.dto';

async function messages(body: Record<string, unknown>): Promise<Record<string, string[]>> {
  const errors = await validate(plainToInstance(TestPartnerDto, body));
  return Object.fromEntries(errors.map((e) => [e.property, Object.values(e.constraints ?? {})]));
}

describe('the body of a connection test', () => {
  it('takes the optional fields absent', async () => {
    expect(await messages({ test_type: 'ping' })).toEqual({});
  });

  it.each([
    ['as2_instance_id', ['The as2 instance id must be a string', 'The as2 instance id must be 1 to 64 characters']],
    ['certificates', ['The certificates must be current or next']],
    ['acknowledge_payload_delivery', ['The acknowledge payload delivery field must be true or false']],
  ])('refuses %s: null (no instance named "null", no default in its place)', async (field, expected) => {
    expect(await messages({ test_type: 'mdn', [field]: null })).toEqual({ [field]: expect.arrayContaining(expected) });
  });
});
