/**
 * Contracts shared by the decision core, the services and the CLI: the CloudEvents envelope and its
 * decoder, our consent evidence contract, governed, suppression, lineage and dead-letter records,
 * and topic names.
 */
export * from './cloud-event.types';
export * from './cloud-event.decoder';
export * from './consent-evidence.contract';
export * from './aggregate-record.types';
export * from './dead-letter.types';
export * from './governed-record.types';
export * from './lineage-record.types';
export * from './topic-names';
export * from './engagement-token';
export * from './site-subject-token';
