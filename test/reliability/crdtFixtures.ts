// What the stage 5 reliability test asks its nodes: the HTTP port of stage 5's
// shortener (the nodes run the reference solution) on that node.
import { httpPort } from '#stage/exercise5-crdt/shortener.ts';

export const CRDT_FIXTURES = import.meta.url;

export const shortenerPort = (): number => httpPort();
