// What a demo file in demos/ needs.
export { LIBRARY, type Terminal } from './demoCluster.ts';
export { erlangMissing, type ErlangNode } from './erlangNode.ts';
export type { Demo, Show } from './show.ts';
