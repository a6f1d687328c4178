import { loadPolicy } from './policy-file.loader';
import { errorsOf, exampleChanged as changed } from '../../test/policy-errors.harness';
import { EXAMPLE_POLICY_TEXT } from '../../test/rule-fixture.harness';

const DECLARED = 'aggregates:\n  email-engagement:\n    by: campaignId\n    minimumCount: 5\n';

describe("R23: an aggregate output's declaration", () => {
  it('compiles the example policy’s aggregate with its default topic', () => {
    expect(loadPolicy(EXAMPLE_POLICY_TEXT).aggregates).toEqual([
      { name: 'email-engagement', topic: 'governed.email-engagement', by: 'campaignId', minimumCount: 5 },
    ]);
  });

  it('refuses a minimum count below 2: a figure of one event is that person’s event', () => {
    const errors = errorsOf(changed('minimumCount: 5', 'minimumCount: 1'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^aggregates\.email-engagement\.minimumCount: /);
  });

  it('refuses counting by an attribute an engagement type does not declare as a string', () => {
    expect(errorsOf(changed('    by: campaignId\n', '    by: linkUrl\n'))).toEqual([
      `aggregates.email-engagement.by: "linkUrl" must be declared as a string attribute of sources.email.types['email.opened'], which the aggregate counts`,
    ]);
    expect(errorsOf(changed('    by: campaignId\n', '    by: campaign.id\n'))).toEqual([
      'aggregates.email-engagement.by: "campaign.id" is not a top-level attribute; count by the campaign id at the top of the payload',
    ]);
  });

  it('refuses an aggregate named like a destination, or writing another output’s or an input’s topic', () => {
    expect(errorsOf(changed(DECLARED, DECLARED.replace('email-engagement', 'segmentation')))).toEqual([
      'aggregates.segmentation: "segmentation" is also a destination; name the aggregate differently',
    ]);
    const topic = (t: string): string =>
      changed(DECLARED, DECLARED.replace('    by:', `    topic: ${t}\n    by:`));
    expect(errorsOf(topic('governed.segmentation'))).toEqual([
      'aggregates.email-engagement.topic: topic "governed.segmentation" is also an input topic or another output\'s topic',
    ]);
    expect(errorsOf(topic('source.email'))).toEqual([
      'aggregates.email-engagement.topic: topic "source.email" is also an input topic or another output\'s topic',
    ]);
  });

  it('refuses an aggregate when no event type is an engagement event', () => {
    const text = changed('      email.opened:\n        engagement: true\n', '      email.opened:\n')
      .replace('      email.clicked:\n        engagement: true\n', '      email.clicked:\n')
      .replace(/category: engagement\.(campaign|link)/g, 'category: marketing.$1');
    expect(errorsOf(text)).toContain(
      'aggregates.email-engagement: no event type is declared engagement: true; an aggregate counts opens and clicks (R23)',
    );
  });

  it('refuses unknown members of the declaration', () => {
    const errors = errorsOf(changed('    minimumCount: 5\n', '    minimumCount: 5\n    subject: as-is\n'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^aggregates\.email-engagement/);
  });
});
