/**
 * One way to open a Redis connection for every Redis-backed part (route table, control channel,
 * device slots, offline commands, LBS cache): auto-pipelining on, so the commands a process issues
 * in one event-loop turn leave in one write instead of one system call each (the command round
 * trip benchmark spent more CPU in socket writes than in everything else).
 */
import { Redis } from 'ioredis';

/** Options the callers tune (ioredis defaults otherwise). */
export interface RedisClientOptions {
  maxRetriesPerRequest?: number;
  commandTimeout?: number;
}

export function createRedis(url: string, options: RedisClientOptions = {}): Redis {
  const o: { enableAutoPipelining: boolean; maxRetriesPerRequest?: number; commandTimeout?: number } = {
    enableAutoPipelining: true,
  };
  if (options.maxRetriesPerRequest !== undefined) o.maxRetriesPerRequest = options.maxRetriesPerRequest;
  if (options.commandTimeout !== undefined) o.commandTimeout = options.commandTimeout;
  return new Redis(url, o);
}
