// Run as `nobody` by otherUser.ts: proves that user can read the checkout, run
// Node.js and load the kit's modules and its packages.
import { WebSocket } from 'ws';
import { Node } from '../../lib/index.ts';

if (typeof WebSocket === 'function' && Node.self() === 'nonode@nohost') process.stdout.write('nobody can load the kit\n');
