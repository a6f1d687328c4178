import { type IHeaders, type KafkaMessage } from 'kafkajs';
import { buildDeadLetter, DEAD_LETTER_HEADERS } from './dead-letter.builder';

const message = (headers: IHeaders): KafkaMessage => ({
  key: Buffer.from('person-key'),
  value: Buffer.from([0xff, 0x00, 0x7b]),
  headers,
  offset: '42',
  timestamp: '0',
  attributes: 0,
});

describe('buildDeadLetter', () => {
  it('keeps the original key, value bytes and headers and adds the source coordinates and reason', () => {
    const original = message({ 'trace-id': Buffer.from('abc') });
    const letter = buildDeadLetter({
      deadLetterTopic: 'governance.dead-letter',
      sourceTopic: 'source.crm',
      sourcePartition: 3,
      message: original,
      code: 'not-json',
      reason: 'value is not JSON (unexpected byte at position 0)',
    });
    expect(letter.topic).toBe('governance.dead-letter');
    expect(letter.key).toBe(original.key);
    expect(letter.value).toBe(original.value);
    expect(letter.headers).toEqual({
      'trace-id': Buffer.from('abc'),
      [DEAD_LETTER_HEADERS.sourceTopic]: 'source.crm',
      [DEAD_LETTER_HEADERS.sourcePartition]: '3',
      [DEAD_LETTER_HEADERS.sourceOffset]: '42',
      [DEAD_LETTER_HEADERS.errorCode]: 'not-json',
      [DEAD_LETTER_HEADERS.reason]: 'value is not JSON (unexpected byte at position 0)',
    });
  });

  it('does not let an input header pretend to be a dead-letter header', () => {
    const letter = buildDeadLetter({
      deadLetterTopic: 'dlq',
      sourceTopic: 'source.crm',
      sourcePartition: 0,
      message: message({ [DEAD_LETTER_HEADERS.sourceOffset]: 'forged' }),
      code: 'oversized',
      reason: 'value exceeds 1 MiB',
    });
    expect(letter.headers?.[DEAD_LETTER_HEADERS.sourceOffset]).toBe('42');
  });
});
