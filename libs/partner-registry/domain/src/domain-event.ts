/** What a decider emits: a stable versioned type and its data. The service adds id and metadata when appending. */
export interface DomainEvent<Type extends string, Data> {
  readonly type: Type;
  readonly data: Data;
}
