// The cluster harness, for tests and demos: start nodes, cut and heal the
// network, inject faults, record traces.
export { LocalCluster, type StartNodesOptions } from './localCluster.ts';
export { Schism } from './schism.ts';
export { Faults } from './injectFaults.ts';
export type { FaultConfig } from './faults.ts';
export { Trace, traceDir } from './collectTraces.ts';
export type { TraceEvent, TraceKind } from './trace.ts';
export { spawnNode, type SpawnedNode, type SpawnNodeOptions } from './spawnNode.ts';
export { startStorage, type StorageProcess, type StartStorageOptions } from './storageProcess.ts';
