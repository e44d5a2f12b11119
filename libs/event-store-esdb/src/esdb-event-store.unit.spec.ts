import { EsdbEventStore } from './esdb-event-store';

describe('EsdbEventStore.connect', () => {
  it('rejects when no server answers instead of handing back a dead store', async () => {
    await expect(EsdbEventStore.connect('esdb://127.0.0.1:1?tls=false')).rejects.toThrow(/UNAVAILABLE|ECONNREFUSED/);
  });
});
