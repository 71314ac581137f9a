import { redisRouteTableSuite } from '../../packages/core/test/routes.redis.ts';
import { serviceEnv } from './env.ts';

const url = serviceEnv('REDIS_URL');
if (url !== undefined) redisRouteTableSuite(url);
