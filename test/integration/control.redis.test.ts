import { redisControlChannelSuite } from '../../packages/core/test/control.redis.ts';
import { serviceEnv } from './env.ts';

const url = serviceEnv('REDIS_URL');
if (url !== undefined) redisControlChannelSuite(url);
