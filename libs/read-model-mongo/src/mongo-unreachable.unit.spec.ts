import { MongoClient, MongoServerError } from 'mongodb';
import { isMongoUnreachable } from './mongo-unreachable';

describe('isMongoUnreachable', () => {
  it('is true for the error a request meets when no server answers, false for a refused operation', async () => {
    // Nothing listens on port 9 of this host: server selection fails quickly.
    const client = new MongoClient('mongodb://127.0.0.1:9/?directConnection=true', { serverSelectionTimeoutMS: 300 });
    const error = await client.db('x').collection('y').findOne({}).then(() => null, (e: unknown) => e);
    await client.close();
    expect(isMongoUnreachable(error)).toBe(true);
    expect(isMongoUnreachable(new MongoServerError({ message: 'E11000 duplicate key', code: 11000 }))).toBe(false);
    expect(isMongoUnreachable(new Error('a bug'))).toBe(false);
    expect(isMongoUnreachable('text')).toBe(false);
  });
});
