/**
 * One way to open a Redis connection for every Redis-backed part (route table, control channel,
 * device slots, offline commands, LBS cache): auto-pipelining on, so the commands a process issues
 * in one event-loop turn leave in one write instead of one system call each (socket writes to Redis
 * are the largest single CPU cost of a command round trip in the `bench:commands` profile).
 */
import { Redis } from 'ioredis';

/** Options the callers tune (ioredis defaults otherwise). */
export interface RedisClientOptions {
  maxRetriesPerRequest?: number;
  commandTimeout?: number;
}

/** Close a connection politely (QUIT), or drop it when that fails (already broken). */
export async function quitRedis(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}

export function createRedis(url: string, options: RedisClientOptions = {}): Redis {
  const o: { enableAutoPipelining: boolean; maxRetriesPerRequest?: number; commandTimeout?: number } = {
    enableAutoPipelining: true,
  };
  if (options.maxRetriesPerRequest !== undefined) o.maxRetriesPerRequest = options.maxRetriesPerRequest;
  if (options.commandTimeout !== undefined) o.commandTimeout = options.commandTimeout;
  return new Redis(url, o);
}
