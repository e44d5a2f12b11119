import type { ReadModelDocument, ReadModelStore } from './read-model-store.port';

/** Key material of one account (tenant null: account-wide), sealed before it gets here. */
export interface SecretDocument extends ReadModelDocument {
  readonly account: string;
  readonly tenant: string | null;
}

/** Which documents: of an account, of one of its tenants (null: the account-wide ones). */
export interface SecretOwner {
  readonly account?: string;
  readonly tenant?: string | null;
}

export interface SecretCollection<T extends SecretDocument> {
  get(id: string): Promise<T | null>;
  /** Durable once it resolves. */
  put(doc: T): Promise<void>;
  delete(id: string): Promise<void>;
  deleteMany(owner: SecretOwner): Promise<number>;
  find(owner: SecretOwner): Promise<T[]>;
}

/**
 * Where key material that is found nowhere in the events lives (sealed private keys, tenant data keys): never in the
 * append-only event store (it could not be destroyed), never among the read models (a read model is thrown away and
 * refilled from the events). Embedded: a SQLite file of its own (`secrets.sqlite`); distributed: collections of the
 * MongoDB database beside the read models, which no rebuild clears (secretsInReadModels).
 */
export interface SecretStore {
  collection<T extends SecretDocument>(name: string): SecretCollection<T>;
}

export const SECRET_STORE = Symbol('SecretStore');

/** A page of the walk over a collection's documents. */
const PAGE = 500;

/** The secrets as collections of a read-model store that never clears or drops them (MongoDB's; tests' in-memory ones). */
export function secretsInReadModels(readModels: ReadModelStore): SecretStore {
  return {
    collection<T extends SecretDocument>(name: string): SecretCollection<T> {
      const documents = readModels.collection<T>(name, [['account', 'tenant']]);
      return {
        get: (id) => documents.get(id),
        put: (doc) => documents.put(doc),
        delete: (id) => documents.delete(id),
        deleteMany: (owner) => documents.deleteMany({ ...owner }),
        async find(owner) {
          const found: T[] = [];
          for (let skip = 0; ; skip += PAGE) {
            const page = await documents.find({ filter: { ...owner }, sort: { _id: 1 }, skip, limit: PAGE, withoutTotal: true });
            found.push(...page.items);
            if (page.items.length < PAGE) return found;
          }
        },
      };
    },
  };
}
