import { HandoverInbox } from './handover-inbox';

const states = (id: number) => ({ id, states: [[`k-${id}`, null] as const] });

describe('HandoverInbox', () => {
  it('hands states over by marker id, whatever order they arrived in', () => {
    const inbox = new HandoverInbox(10n);
    inbox.add(10n, states(7));
    inbox.add(11n, states(3));
    expect(inbox.take(5)).toBeNull();
    expect(inbox.take(3)).toEqual(states(3));
    expect(inbox.take(7)).toEqual(states(7));
    expect(inbox.size).toBe(0);
  });

  it('commits only below the oldest state still waiting, so a restart loses nothing', () => {
    const inbox = new HandoverInbox(10n);
    expect(inbox.committable()).toBe(10n);
    inbox.add(10n, states(7));
    inbox.add(11n, states(3));
    expect(inbox.committable()).toBe(10n);
    inbox.take(3);
    expect(inbox.committable()).toBe(10n);
    inbox.take(7);
    expect(inbox.committable()).toBe(12n);
  });

  it('drops states read again after a restart once a later marker is reached', () => {
    // Re-read from offset 10: id 7 was imported before the restart, id 8 was not.
    const inbox = new HandoverInbox(10n);
    inbox.add(10n, states(7));
    inbox.add(11n, states(8));
    expect(inbox.take(8)).toEqual(states(8));
    expect(inbox.size).toBe(0);
    expect(inbox.committable()).toBe(12n);
  });

  it('drops the topic copy of states already imported in memory, so it holds back no offset', () => {
    const inbox = new HandoverInbox(10n);
    inbox.taken(4); // imported from the exporting task on this instance
    inbox.add(10n, states(4)); // its copy on the handover topic, read afterwards
    inbox.add(11n, states(3));
    expect(inbox.size).toBe(0);
    expect(inbox.committable()).toBe(12n);
    inbox.add(12n, states(5));
    expect(inbox.take(5)).toEqual(states(5));
  });
});
