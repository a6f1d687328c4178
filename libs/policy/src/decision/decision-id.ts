/**
 * Deterministic decision id: the same policy, event, destination and kind always give the same
 * id, so dry-run and stream output are byte-identical and replays are idempotent.
 *
 * Scheme: `<k>:<destination>:<policy content hash>:<event id>`, `<k>` being `d` for a decision and
 * `s` for a suppression. Destination names cannot contain `:` and the content hash has a fixed
 * length, so different inputs never give the same id; an auditor reads the event and destination
 * straight from it. (It was a sha256 of version and event id until bench:policy showed that hash
 * at about a tenth of the decision core's time; the event id is already in every lineage record
 * and record header, so the id reveals nothing new. Event ids are at most 256 characters, see
 * the CloudEvent decoder.)
 */
export function decisionId(
  policyContentHash: string,
  eventId: string,
  destination: string,
  kind: 'decision' | 'suppression' = 'decision',
): string {
  return `${kind === 'decision' ? 'd' : 's'}:${destination}:${policyContentHash}:${eventId}`;
}

/**
 * The id of a suppression for a customer whose claim on an identifier was refused (R25), sent for
 * evidence received under that identifier: one event then suppresses several customers at one
 * destination, each needing its own id. Scheme: `c:<destination>:<policy content hash>:<subject's
 * lineage pseudonym>/<event id>`; the `c` kind keeps it apart from every `d` and `s` id, and an
 * auditor derives it from the suppression's lineage record (its subject and event).
 */
export function claimantSuppressionId(
  policyContentHash: string,
  eventId: string,
  destination: string,
  subjectPseudonym: string,
): string {
  return `c:${destination}:${policyContentHash}:${subjectPseudonym}/${eventId}`;
}
