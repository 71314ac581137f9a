/** The GT06 namespace for the tests. */
export { gt06 } from '../../src/index.ts';
