// Node's own modules that every node loads as it starts, taken whole with
// process.getBuiltinModule instead of `import { x } from 'node:fs'`. An ESM import
// of a built-in module reads every export it has, getters included, and on
// Node.js 24 those getters load what they stand for: node:http's WebSocket,
// MessageEvent and CloseEvent are undici, with http2, assert and tls behind
// them (112 of Node's internal modules for one import), node:fs's `promises` and
// node:util's helpers another 40. Measured on Node.js 24.21 with callgrind, the
// built-ins a node uses cost 324 M instructions and 59 MiB of RSS imported as
// ESM, 128 M and 48 MiB taken this way (README, "Performance"). Node.js 20 has
// no such getters, and loses nothing.
export const fs = process.getBuiltinModule('node:fs');
export const http = process.getBuiltinModule('node:http');
export const util = process.getBuiltinModule('node:util');
