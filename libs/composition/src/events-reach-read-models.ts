import { Logger } from '@nestjs/common';
import { CannotStartError } from '@as2-partners/kernel';

/** What the check reads of the embedded read-model store, and changes for a rebuild. */
interface ReadModelPositions {
  furthestCheckpoint(): number | null;
  bringCheckpointsBackTo(head: number | null): number;
}

/**
 * An embedded start's check that the event store reaches the furthest position the read models' followers committed (a
 * MAX over their checkpoints). A store that ends before it was removed, cut to nothing or replaced by an older copy
 * while the read models stayed: served as it is, the views would show what no event holds any longer and the followers
 * would skip the events written next up to their positions (acknowledged writes lost to every read), so the start is
 * refused in one line naming the file. Read models behind the store catch up; none saved is a new data directory or a
 * read-model file set aside. A rebuild replays the read models from what the store holds: the checkpoints it does not
 * replay (a reactor's kept with the read models) are brought back to the store's end instead, said in a warning.
 */
export function checkEventsReachReadModels(eventsFile: string, head: number | null, readModelFile: string, readModels: ReadModelPositions, rebuilds: boolean): void {
  const furthest = readModels.furthestCheckpoint();
  if (furthest === null || furthest <= (head ?? 0)) return;
  const holds = head === null ? 'holds no event' : `ends at position ${head}`;
  if (rebuilds) {
    const broughtBack = readModels.bringCheckpointsBackTo(head);
    new Logger('ReadModels').warn(`The event store file ${eventsFile} ${holds}, but the read models had followed it up to position ${furthest}: ${broughtBack} checkpoint(s) past its end brought back to it, the read models rebuilt from what it holds`);
    return;
  }
  throw new CannotStartError(
    `the event store file ${eventsFile} ${holds}, but the read models in ${readModelFile} have followed it up to position ${furthest}: it was removed, cut or replaced by an older copy since. Stop the service and restore events.sqlite from its backup; to go on from the events it holds instead (an older copy, or none to start over empty), run npm run rebuild-read-models (which keeps the message outcomes and Idempotency-Key answers) or move the read-model files (read-models.sqlite*) aside first (README)`,
  );
}
