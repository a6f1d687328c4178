import { type ArgumentMetadata } from '@nestjs/common';
import { ApiError } from './api-error';
import { PersonSearchBody, RecallQuery, TimelineQuery } from './audit-api.dto';
import { auditValidationPipe } from './validation';

const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'body', metatype });

async function refusal(value: unknown, metatype: ArgumentMetadata['metatype']): Promise<ApiError> {
  try {
    await auditValidationPipe().transform(value, body(metatype));
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('validation of the auditor API inputs', () => {
  it('names the field and the rule, never the value', async () => {
    const secret = 'someone@example.dk\u0000';
    const e = await refusal({ identifier: secret }, PersonSearchBody);
    expect(e.code).toBe('invalid-request');
    expect(e.message).toContain('identifier must not contain control characters');
    expect(e.message).not.toContain('someone');
  });

  it('refuses unknown fields without repeating their names', async () => {
    const e = await refusal({ identifier: 'a', 'someone@example.dk': 1 }, PersonSearchBody);
    expect(e.message).toContain('unknown field or parameter');
    expect(e.message).not.toContain('someone');
  });

  it('converts and bounds query numbers and times', async () => {
    const ok = (await auditValidationPipe().transform(
      { limit: '20' },
      { type: 'query', metatype: TimelineQuery },
    )) as TimelineQuery;
    expect(ok.limit).toBe(20);
    for (const q of [
      { limit: '0' },
      { limit: '201' },
      { limit: '1.5' },
      { from: 'yesterday' },
      { destination: 'Bad Name' },
    ])
      expect((await refusal(q, TimelineQuery)).code).toBe('invalid-request');
    expect((await refusal({ formVersion: "x' or 1=1 --" }, RecallQuery)).message).not.toContain('1=1');
  });
});
