import { loadPolicy } from './policy-file.loader';
import { errorsOf, exampleChanged as changed } from '../../test/policy-errors.harness';
import { EXAMPLE_POLICY_TEXT } from '../../test/rule-fixture.harness';

const example = EXAMPLE_POLICY_TEXT;

const OPENED = "sources.email.types['email.opened']";

describe('R23: engagement data goes out under the tracking consent only', () => {
  it('the example policy declares opens and clicks as engagement events', () => {
    const policy = loadPolicy(example);
    expect(policy.eventTypes.get('email\u0000email.opened')?.engagement).toBe(true);
    expect(policy.eventTypes.get('email\u0000email.clicked')?.engagement).toBe(true);
    expect(policy.eventTypes.get('web\u0000page.viewed')?.engagement).toBe(false);
  });

  it('refuses an engagement attribute also declared for targeting, naming the path and purpose', () => {
    const bad = changed(
      'campaignId: { category: engagement.campaign, purposes: [email.engagement_tracking] }\n          userAgent',
      'campaignId:\n            { category: engagement.campaign, purposes: [email.engagement_tracking, seg.web_behaviour] }\n          userAgent',
    );
    expect(errorsOf(bad)[0]).toEqual(
      `${OPENED}.attributes.campaignId.purposes[1]: engagement data may be routed only under "email.engagement_tracking" (R23), not under "seg.web_behaviour"`,
    );
  });

  it('refuses engagement data declared outside an engagement event type', () => {
    const bad = changed('      email.opened:\n        engagement: true\n', '      email.opened:\n');
    expect(errorsOf(bad)).toEqual([
      `${OPENED}.attributes.campaignId.category: "engagement.campaign" is e-mail engagement data; declare it in an event type with engagement: true (R23)`,
    ]);
  });

  it('refuses engagement events without a tracking purpose, or with one that is not consent', () => {
    const none = changed('  engagementTrackingPurpose: email.engagement_tracking\n', '');
    expect(errorsOf(none)).toContain(
      `${OPENED}.engagement: engagement events need options.engagementTrackingPurpose, the consent that permits them (R23)`,
    );
    const contract = changed(
      'engagementTrackingPurpose: email.engagement_tracking',
      'engagementTrackingPurpose: order.fulfilment',
    );
    expect(errorsOf(contract)).toContain(
      'options.engagementTrackingPurpose: "order.fulfilment" rests on contract; engagement tracking needs consent (R23)',
    );
  });

  it('refuses a compatibility assessment that would route engagement data', () => {
    const bad = changed(
      'compatibilityAssessments:\n',
      'compatibilityAssessments:\n  - id: CA-X\n    source: email\n    type: email.opened\n    attribute: campaignId\n    purpose: loyalty.programme\n',
    );
    expect(errorsOf(bad)).toContain(
      'compatibilityAssessments[0]: engagement data has no compatibility route; only the tracking consent permits it (R23)',
    );
  });
});
